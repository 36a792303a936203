package dev.sekisho.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

import dev.sekisho.bench.DunnoServer;
import dev.sekisho.bench.LoadGenerator;
import dev.sekisho.bench.LoadReport;
import dev.sekisho.bench.LoadSettings;
import dev.sekisho.bench.LoadSettings.MixSize;
import dev.sekisho.bench.ProcessTreeCpu;
import dev.sekisho.config.ByteSizes;
import dev.sekisho.config.Durations;
import dev.sekisho.engine.AddressText;
import dev.sekisho.net.HostPort;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code sekisho bench}: load a policy server over the Postfix policy delegation protocol, or
 * run the DUNNO ceiling server to compare against. Exit codes: 0 ok, 1 failure (target
 * unreachable, errors during the run), 2 usage.
 */
@Command(name = "bench",
        description = "Benchmark policy servers over the Postfix policy delegation protocol; write DMARC report corpora for the import benchmark.",
        subcommands = {BenchCommand.Load.class, BenchCommand.DunnoServerCommand.class, BenchCommand.DmarcCorpus.class})
public final class BenchCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return CommandLine.ExitCode.USAGE;
    }

    @Command(name = "load",
            description = {
                    "Send RCPT-stage policy requests over persistent connections, each a closed loop, "
                            + "and report throughput, latency (p50, p99, p99.9) and replies by action.",
                    "Requests come from a seeded mix of client addresses (IPv4 over many /24s, some IPv6), "
                            + "senders (some null) and recipients in a few local domains."})
    static final class Load implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
        boolean help;

        @Option(names = "--target", defaultValue = "127.0.0.1:10040", converter = TargetConverter.class,
                description = "Policy server as IP:port or [IPv6]:port (no host names: no DNS). Default: ${DEFAULT-VALUE}.")
        InetSocketAddress target;

        @Option(names = "--concurrency", split = ",", defaultValue = "8",
                description = "Connections; a list (1,8,64) runs one measurement per value. Default: ${DEFAULT-VALUE}.")
        List<Integer> concurrency;

        @Option(names = "--warmup", defaultValue = "10s", converter = DurationConverter.class,
                description = "Time to send before measuring (ms, s, m). Default: ${DEFAULT-VALUE}.")
        Duration warmup;

        @Option(names = "--duration", defaultValue = "20s", converter = DurationConverter.class,
                description = "Measured period; with --requests or --fill-triplets its upper bound. Default: ${DEFAULT-VALUE}.")
        Duration duration;

        @Option(names = "--requests", defaultValue = "0",
                description = "Stop measuring after this many replies (0: measure for --duration).")
        long requests;

        @Option(names = "--fill-triplets", defaultValue = "0", paramLabel = "N",
                description = "Send N requests with distinct (client, sender, recipient) triplets as fast as possible, "
                        + "no warm-up (to fill a greylist and measure its memory).")
        long fillTriplets;

        @Option(names = "--seed", defaultValue = "1", description = "Fixes the traffic mix. Default: ${DEFAULT-VALUE}.")
        long seed;

        @Option(names = "--clients", defaultValue = "50000", description = "Distinct client addresses in the mix. Default: ${DEFAULT-VALUE}.")
        int clients;

        @Option(names = "--senders", defaultValue = "20000", description = "Distinct senders in the mix. Default: ${DEFAULT-VALUE}.")
        int senders;

        @Option(names = "--policy-context", defaultValue = "mx", description = "policy_context sent. Default: ${DEFAULT-VALUE}.")
        String policyContext;

        @Option(names = "--reply-timeout", defaultValue = "10s", converter = DurationConverter.class,
                description = "A request unanswered this long is an error. Default: ${DEFAULT-VALUE}.")
        Duration replyTimeout;

        @Option(names = "--generator-threads", defaultValue = "0", paramLabel = "N",
                description = "Threads driving the connections (0: one per 32 connections, at most one per core). Default: ${DEFAULT-VALUE}.")
        int generatorThreads;

        @Option(names = "--target-pid", defaultValue = "0", paramLabel = "PID",
                description = "Charge this process and its descendants' CPU time (Linux /proc) over the measured period "
                        + "and report it per request.")
        long targetPid;

        @Option(names = "--format", defaultValue = "text",
                description = "text, or kv: one line of key=value pairs per measurement. Default: ${DEFAULT-VALUE}.")
        ReportFormat format;

        enum ReportFormat { text, kv }

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            LoadSettings settings;
            try {
                settings = new LoadSettings(target, 1, warmup, duration, requests, fillTriplets, seed,
                        new MixSize(clients, senders), policyContext, replyTimeout);
                for (int connections : concurrency) settings.withConcurrency(connections); // validates each
                if (generatorThreads < 0) throw new IllegalArgumentException("--generator-threads cannot be negative, was " + generatorThreads);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
            }
            boolean anyErrors = false;
            for (int connections : concurrency) {
                LoadReport report;
                try {
                    Optional<ProcessTreeCpu> targetCpu = targetPid > 0 ? Optional.of(new ProcessTreeCpu(targetPid)) : Optional.empty();
                    int threads = generatorThreads > 0 ? generatorThreads : LoadGenerator.defaultThreads(connections);
                    report = new LoadGenerator(settings.withConcurrency(connections), targetCpu, threads).run();
                } catch (IOException e) {
                    spec.commandLine().getErr().println("bench load against " + target + " failed: " + e.getMessage());
                    return 1;
                }
                out.println(format == ReportFormat.kv ? report.toKeyValues() : report.toText());
                out.flush();
                anyErrors |= report.errors() > 0 || report.replies() == 0;
            }
            return anyErrors ? 1 : 0;
        }
    }

    @Command(name = "dunno-server",
            description = "Answer action=DUNNO to every policy request until killed: the ceiling any policy server can reach.")
    static final class DunnoServerCommand implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
        boolean help;

        @Option(names = "--listen", defaultValue = "127.0.0.1:10040", converter = TargetConverter.class,
                description = "Address to listen on, IP:port or [IPv6]:port. Default: ${DEFAULT-VALUE}.")
        InetSocketAddress listen;

        @Override
        public Integer call() throws Exception {
            try (DunnoServer server = DunnoServer.start(listen)) { // closed if the wait is interrupted: the port is not left open
                // RFC 5952 4.2 and 6: the short form, an IPv6 address in brackets before the port.
                spec.commandLine().getOut().println("dunno-server listening on " + AddressText.of(server.address()));
                spec.commandLine().getOut().flush();
                server.awaitClose();
            }
            return 0;
        }
    }

    @Command(name = "dmarc-corpus",
            description = {"Write seeded DMARC aggregate reports for the import benchmark (bench/dmarc-import.sh): "
                    + "--reports N files holding --records M records in total into DIR (six in ten gzip, two zip, two plain XML), "
                    + "or with --single-report-bytes one plain XML report of at least that size, streamed to DIR/single-report.xml.",
                    "Prints one line: reports=N records=M bytes=B (bytes on disk)."})
    static final class DmarcCorpus implements Callable<Integer> {
        /** The single report is written to disk: more than a tebibyte is a typo, not a benchmark. */
        private static final long MAX_SINGLE_REPORT_BYTES = 1L << 40;
        @Spec
        CommandSpec spec;

        @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
        boolean help;

        @CommandLine.Parameters(index = "0", paramLabel = "DIR", description = "Folder to write into (created when missing).")
        java.nio.file.Path directory;

        @Option(names = "--reports", defaultValue = "10000", description = "Reports to write. Default: ${DEFAULT-VALUE}.")
        int reports;

        @Option(names = "--records", defaultValue = "1000000", description = "Records in all the reports together. Default: ${DEFAULT-VALUE}.")
        long records;

        @Option(names = "--single-report-bytes", defaultValue = "0", paramLabel = "BYTES",
                description = "Instead, write one report of at least BYTES (suffixes k, m, g, t: powers of 1024).")
        String singleReportBytes;

        @Option(names = "--seed", defaultValue = "1", description = "Fixes the content. Default: ${DEFAULT-VALUE}.")
        long seed;

        @Override
        public Integer call() throws IOException {
            long single;
            try {
                try {
                    single = ByteSizes.parse(singleReportBytes.strip());
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("--single-report-bytes " + e.getMessage(), e);
                }
                if (single > MAX_SINGLE_REPORT_BYTES) {
                    throw new IllegalArgumentException("--single-report-bytes must be at most 1t (it is written to disk), was \"" + singleReportBytes.strip() + "\"");
                }
                if (single == 0 && (reports < 1 || records < reports)) {
                    throw new IllegalArgumentException("--reports must be at least 1 and --records at least --reports");
                }
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
            }
            dev.sekisho.bench.DmarcCorpusGenerator generator = new dev.sekisho.bench.DmarcCorpusGenerator(seed);
            dev.sekisho.bench.DmarcCorpusGenerator.Written written = single > 0
                    ? generator.writeSingleReport(directory.resolve("single-report.xml"), single)
                    : generator.writeCorpus(directory, reports, records);
            PrintWriter out = spec.commandLine().getOut();
            out.printf("reports=%d records=%d bytes=%d%n", written.reports(), written.records(), written.bytes());
            out.flush();
            return 0;
        }

    }

    /** IP:port or [IPv6]:port, as the configuration's listen addresses; host names are refused so nothing is looked up in DNS. */
    static final class TargetConverter implements ITypeConverter<InetSocketAddress> {
        @Override
        public InetSocketAddress convert(String value) {
            try {
                return HostPort.parse(value, -1, 1).literalAddress();
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** Durations as the configuration writes them (500ms, 10s, 2m, ...). */
    static final class DurationConverter implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            try {
                return Durations.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }
}
