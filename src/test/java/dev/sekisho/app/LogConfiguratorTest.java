package dev.sekisho.app;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ServiceLoader;

import static org.assertj.core.api.Assertions.assertThat;

class LogConfiguratorTest {
    private static final Instant AT = Instant.parse("2026-12-02T03:53:04.250Z");

    private static LoggerContext configured() {
        LoggerContext context = new LoggerContext();
        LogConfigurator.apply(context);
        return context;
    }

    private static String line(LoggerContext context, String logger, Level level, String message) {
        ch.qos.logback.classic.Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        ConsoleAppender<ILoggingEvent> stdout = (ConsoleAppender<ILoggingEvent>) root.getAppender("STDOUT");
        LoggingEvent event = new LoggingEvent(Logger.class.getName(), context.getLogger(logger), level, message, null, null);
        event.setTimeStamp(AT.toEpochMilli());
        return new String(stdout.getEncoder().encode(event), StandardCharsets.UTF_8);
    }

    /** The time as logback's %d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} writes it: in the JVM's time zone, "Z" for UTC. */
    private static String stamp(ZoneId zone) {
        return DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSXXX").withZone(zone).format(AT);
    }

    @Test
    void linesHaveTheDocumentedFormat() {
        LoggerContext context = configured();
        // README, "What it logs": 2026-12-02T03:53:04.250Z INFO  sekisho.verdict service=mx ...
        assertThat(line(context, "sekisho.verdict", Level.INFO, "service=mx stage=rcpt"))
                .isEqualTo(stamp(ZoneId.systemDefault()) + " INFO  sekisho.verdict service=mx stage=rcpt\n");
        // Logger names longer than 24 characters lose their leading packages' letters first.
        assertThat(line(context, "dev.sekisho.app.Application", Level.WARN, "serving"))
                .isEqualTo(stamp(ZoneId.systemDefault()) + " WARN  d.s.app.Application serving\n");
        assertThat(line(context, "dev.sekisho.state.memory.MemoryStateStore", Level.ERROR, "x"))
                .isEqualTo(stamp(ZoneId.systemDefault()) + " ERROR d.s.s.m.MemoryStateStore x\n");
    }

    @Test
    void logbackLinesMatchTheVerdictWritersLinesInUtc() {
        // The verdict writer formats its own stamps; in UTC they read as logback's pattern does, also at a whole second.
        for (Instant at : new Instant[] {AT, AT.truncatedTo(java.time.temporal.ChronoUnit.SECONDS)}) {
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            try (LineWriter writer = new LineWriter(out, () -> at)) {
                writer.submit(writer.start("sekisho.verdict").append("service=mx"));
            }
            assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo(
                    DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSXXX").withZone(ZoneId.of("UTC")).format(at)
                            + " INFO  sekisho.verdict service=mx\n");
        }
    }

    @Test
    void levelsAreInfoWithTheHttpServerQuietened() {
        LoggerContext context = configured();
        assertThat(context.getLogger(Logger.ROOT_LOGGER_NAME).getLevel()).isEqualTo(Level.INFO);
        assertThat(context.getLogger("dev.sekisho.reports.Anything").isDebugEnabled()).isFalse();
        assertThat(context.getLogger("dev.sekisho.reports.Anything").isInfoEnabled()).isTrue();
        assertThat(context.getLogger("org.eclipse.jetty.server.Server").isInfoEnabled()).isFalse();
        assertThat(context.getLogger("org.eclipse.jetty.server.Server").isWarnEnabled()).isTrue();
        assertThat(context.getLogger("io.javalin.Javalin").isInfoEnabled()).isFalse();
        assertThat(context.getLogger("io.javalin.Javalin").isWarnEnabled()).isTrue();
        assertThat(context.getLogger(Logger.ROOT_LOGGER_NAME).iteratorForAppenders()).toIterable().hasSize(1);
    }

    @Test
    void logbackFindsItAsAService() {
        assertThat(ServiceLoader.load(Configurator.class).stream().map(ServiceLoader.Provider::type))
                .contains(LogConfigurator.class);
    }

    @Test
    void standsAsideForALogbackFileOnTheClassPath() {
        // The tests' logback-test.xml is on the class path: logback must go on to read it, as it would an
        // operator's -Dlogback.configurationFile.
        LoggerContext context = new LoggerContext();
        LogConfigurator configurator = new LogConfigurator();
        configurator.setContext(context);
        assertThat(configurator.configure(context)).isEqualTo(Configurator.ExecutionStatus.INVOKE_NEXT_IF_ANY);
        assertThat(context.getLogger(Logger.ROOT_LOGGER_NAME).iteratorForAppenders()).toIterable().isEmpty();
    }

    @Test
    void anOperatorsFileIsUsedOnlyWhenItCanBeRead(@org.junit.jupiter.api.io.TempDir java.nio.file.Path folder) throws Exception {
        java.nio.file.Path file = java.nio.file.Files.writeString(folder.resolve("logback.xml"), "<configuration/>");

        assertThat(LogConfigurator.resolves(file.toString())).isTrue();
        assertThat(LogConfigurator.resolves(file.toUri().toString())).isTrue();
        assertThat(LogConfigurator.resolves("logback-test.xml")).as("a class path resource").isTrue();
        assertThat(LogConfigurator.resolves("https://logs.example.test/logback.xml")).as("a URL").isTrue();
        assertThat(LogConfigurator.resolves(folder.resolve("logbak.xml").toString())).as("a typo").isFalse();
        assertThat(LogConfigurator.resolves(folder.resolve("logbak.xml").toUri().toString())).isFalse();
    }

    @Test
    void aConfigurationFileThatIsNotThereLeavesTheBuiltInConfiguration(@org.junit.jupiter.api.io.TempDir java.nio.file.Path folder) {
        String previous = System.getProperty("logback.configurationFile");
        System.setProperty("logback.configurationFile", folder.resolve("missing.xml").toString());
        try {
            LoggerContext context = new LoggerContext();
            LogConfigurator configurator = new LogConfigurator();
            configurator.setContext(context);

            assertThat(configurator.configure(context)).isEqualTo(Configurator.ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY);
            assertThat(context.getLogger(Logger.ROOT_LOGGER_NAME).getLevel()).isEqualTo(ch.qos.logback.classic.Level.INFO);
            assertThat(context.getLogger(Logger.ROOT_LOGGER_NAME).iteratorForAppenders()).toIterable().isNotEmpty();
        } finally {
            if (previous == null) System.clearProperty("logback.configurationFile");
            else System.setProperty("logback.configurationFile", previous);
        }
    }
}
