package dev.sekisho.cli;

import dev.sekisho.app.Application;
import dev.sekisho.app.DataDirectory;
import dev.sekisho.config.ConfigException;
import dev.sekisho.config.ConfigLoader;
import dev.sekisho.config.SekishoConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import sun.misc.Signal;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/** The main job: the policy server, HTTP endpoints and embedded state, until stopped. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Run the policy server (default 127.0.0.1:10040) and HTTP endpoints (default 127.0.0.1:8025).",
                "Without --config the embedded defaults apply (see: sekisho config defaults).",
                "SIGHUP or 'sekisho reload' re-reads the configuration; SIGTERM stops."})
public final class ServeCommand implements Callable<Integer> {

    @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "YAML configuration (default: embedded defaults).")
    Path configFile;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "Where embedded state and the admin token live "
            + "(default: data-dir from the configuration, else $SEKISHO_DATA_DIR, else $XDG_DATA_HOME/sekisho or ~/.local/share/sekisho).")
    Path dataDir;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        // Looked up here, not in a static field: picocli instantiates every subcommand to build the command line, and
        // a static logger would configure logging (a third of a short command's start-up) for `--version` too.
        Logger log = LoggerFactory.getLogger(ServeCommand.class);
        SekishoConfig config;
        try {
            config = configFile == null ? new ConfigLoader().loadDefaults() : new ConfigLoader().load(configFile);
        } catch (ConfigException e) {
            spec.commandLine().getErr().println("sekisho serve: " + e.getMessage());
            return 2;
        }
        Path data = dataDir != null ? dataDir : config.dataDir() != null ? config.dataDir() : DataDirectory.defaultPath();
        // SIGHUP's handler goes in before anything starts: the JVM's own ends the process, and the policy server answers
        // (and an init system may ask for a reload) before start() has returned. A SIGHUP that comes while starting is
        // carried out once started: the file may have changed after it was read.
        AtomicReference<Application> started = new AtomicReference<>();
        AtomicBoolean reloadWanted = new AtomicBoolean();
        Signal.handle(new Signal("HUP"), signal -> Thread.ofVirtual().start(() -> {
            reloadWanted.set(true);
            reloadIfWanted(started.get(), reloadWanted, log);
        }));
        Application app;
        try {
            app = Application.start(config, data, Clock.systemUTC(), new FileOutputStream(FileDescriptor.out));
        } catch (RuntimeException e) {
            log.error("cannot start: {}", e.getMessage(), e);
            spec.commandLine().getErr().println("sekisho serve: cannot start: " + e.getMessage());
            return 1;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            app.close();
            stopped.countDown();
        }, "sekisho-shutdown"));
        started.set(app);
        reloadIfWanted(app, reloadWanted, log);
        stopped.await();
        return 0;
    }

    /** Reloads once for the SIGHUPs seen since the last reload, when the server has started. */
    private static void reloadIfWanted(Application app, AtomicBoolean wanted, Logger log) {
        if (app == null || !wanted.getAndSet(false)) return;
        try {
            log.info("SIGHUP: {}", app.reload());
        } catch (RuntimeException e) {
            log.error("SIGHUP: configuration refused, the old one keeps running: {}", e.getMessage());
        }
    }
}
