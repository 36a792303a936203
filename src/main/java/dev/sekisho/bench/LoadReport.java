package dev.sekisho.bench;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * What a load run measured over its measured period.
 *
 * @param target        host:port of the policy server
 * @param concurrency   connections used
 * @param measured      how long the measured period actually lasted
 * @param replies       requests answered within it
 * @param errors        requests that failed (connection lost, timeout, malformed reply)
 * @param latency       per-request latency, write to reply read
 * @param repliesByAction replies counted by action word (DUNNO, DEFER_IF_PERMIT, 450, ...)
 * @param targetCpu     CPU time the policy server's processes used in the period, when asked for
 * @param generatorCpu  CPU time the generator's own process used in the period (it shares the
 *                      machine with the target), where the JVM reports it
 */
public record LoadReport(String target, int concurrency, Duration measured, long replies, long errors,
                         LatencyHistogram latency, SortedMap<String, Long> repliesByAction,
                         Optional<Duration> targetCpu, Optional<Duration> generatorCpu) {

    public LoadReport {
        repliesByAction = new TreeMap<>(repliesByAction);
    }

    public double requestsPerSecond() {
        double seconds = measured.toNanos() / 1e9;
        return seconds == 0 ? 0 : replies / seconds;
    }

    /** The policy server's CPU time per answered request, in microseconds, when measured. */
    public Optional<Double> targetCpuMicrosPerRequest() {
        return targetCpu.filter(cpu -> replies > 0).map(cpu -> cpu.toNanos() / 1000.0 / replies);
    }

    /** The generator's own CPU time per answered request, in microseconds, when known. */
    public Optional<Double> generatorCpuMicrosPerRequest() {
        return generatorCpu.filter(cpu -> replies > 0).map(cpu -> cpu.toNanos() / 1000.0 / replies);
    }

    public double micros(double quantile) {
        return latency.valueAtQuantile(quantile) / 1000.0;
    }

    /** For people. */
    public String toText() {
        return String.format(Locale.ROOT, """
                target %s, concurrency %d, measured %.1f s
                  replies %d, errors %d, throughput %.0f req/s
                  latency p50 %.1f µs, p99 %.1f µs, p99.9 %.1f µs, max %.1f µs
                  target CPU %s µs per request, generator CPU %s µs per request
                  actions %s""",
                target, concurrency, measured.toNanos() / 1e9, replies, errors, requestsPerSecond(),
                micros(0.50), micros(0.99), micros(0.999), latency.maxNanos() / 1000.0, cpuText(targetCpuMicrosPerRequest()),
                cpuText(generatorCpuMicrosPerRequest()), actionsText(", ", "="));
    }

    /** One line of key=value pairs for scripts (bench/run.sh reads it). */
    public String toKeyValues() {
        return String.format(Locale.ROOT,
                "target=%s concurrency=%d seconds=%.3f replies=%d errors=%d rps=%.1f p50_us=%.1f p99_us=%.1f p999_us=%.1f max_us=%.1f cpu_us_per_req=%s generator_cpu_us_per_req=%s actions=%s",
                target, concurrency, measured.toNanos() / 1e9, replies, errors, requestsPerSecond(),
                micros(0.50), micros(0.99), micros(0.999), latency.maxNanos() / 1000.0, cpuText(targetCpuMicrosPerRequest()),
                cpuText(generatorCpuMicrosPerRequest()), actionsText(",", ":"));
    }

    private static String cpuText(Optional<Double> microsPerRequest) {
        return microsPerRequest.map(us -> String.format(Locale.ROOT, "%.1f", us)).orElse("n/a");
    }

    private String actionsText(String separator, String equals) {
        if (repliesByAction.isEmpty()) return "none";
        return repliesByAction.entrySet().stream()
                .map((Map.Entry<String, Long> e) -> e.getKey() + equals + e.getValue())
                .collect(Collectors.joining(separator));
    }
}
