package dev.sekisho.app;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.spi.ContextAwareBase;
import java.io.File;
import java.net.URI;
import java.net.URISyntaxException;
import org.slf4j.Logger;

/**
 * Sekisho's logging, set up in code: one line per event on standard output (journald or the container
 * runtime adds the rest). Found by logback through {@code META-INF/services}. Set up from an XML file, logback
 * loads an XML parser and its configuration interpreter first: about 700 classes and a fifth of a second of
 * every command's start-up, for these few lines.
 *
 * <p>Verdict lines (logger {@code sekisho.verdict}) are batched by the application's own writer
 * ({@link LineWriter}) onto the same output in the same format.
 *
 * <p>An operator's own logback file still wins: with {@code -Dlogback.configurationFile=FILE} (in
 * {@code SEKISHO_JAVA_OPTS}), and with a {@code logback-test.xml} on the class path (the tests' own), this
 * configurator stands aside and logback reads that file as usual.
 */
public final class LogConfigurator extends ContextAwareBase implements Configurator {
    /** The line format: time with milliseconds and offset, level, shortened logger name, message. */
    static final String PATTERN = "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level %logger{24} %msg%n";

    /** Public, with no arguments: logback's ServiceLoader makes it. */
    public LogConfigurator() {
    }

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        String operatorsFile = System.getProperty("logback.configurationFile");
        if (operatorsFile != null) {
            if (resolves(operatorsFile)) return ExecutionStatus.INVOKE_NEXT_IF_ANY;
            // logback would fall back to its bare default (everything at DEBUG, another format) without a word.
            System.err.println("sekisho: -Dlogback.configurationFile=" + operatorsFile
                    + " names no file, class path resource or URL; using the built-in log configuration");
        } else if (LogConfigurator.class.getClassLoader().getResource("logback-test.xml") != null) {
            return ExecutionStatus.INVOKE_NEXT_IF_ANY;
        }
        apply(context);
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }

    /** Whether logback can read {@code location}: as it does, a file, a class path resource, or a URL. */
    static boolean resolves(String location) {
        if (new File(location).isFile()) return true;
        if (LogConfigurator.class.getClassLoader().getResource(location) != null) return true;
        try {
            URI uri = new URI(location);
            if (uri.getScheme() == null || uri.getScheme().length() < 2) return false; // "C:\\..." is a path, not a URL
            return !"file".equals(uri.getScheme()) || new File(uri).isFile();
        } catch (URISyntaxException | IllegalArgumentException e) {
            return false;
        }
    }

    /** Sets up {@code context}: what logback.xml held before, line for line. */
    static void apply(LoggerContext context) {
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern(PATTERN);
        encoder.start();

        ConsoleAppender<ILoggingEvent> stdout = new ConsoleAppender<>();
        stdout.setContext(context);
        stdout.setName("STDOUT");
        stdout.setEncoder(encoder);
        stdout.start();

        // The HTTP server's own chatter (start banners, per-request debug) is noise next to Sekisho's lines.
        context.getLogger("org.eclipse.jetty").setLevel(Level.WARN);
        context.getLogger("io.javalin").setLevel(Level.WARN);
        ch.qos.logback.classic.Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.INFO);
        root.addAppender(stdout);
    }
}
