package dev.sekisho.reports.source;

import dev.sekisho.reports.Origin;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Reads every report in files, folders and streams, and hands each to a {@link ReportVisitor}.
 *
 * <p>The content decides the format: gzip, zip, XML (a DMARC aggregate report), JSON (an SMTP TLS report),
 * an mbox file, or a mail (a failure report, or a report attached or as the body). A folder is read
 * recursively in name order; a Maildir (a folder with cur and new) is read as its mails in cur and new and its
 * Maildir++ sub-folders. Bad input never stops the run: it becomes a {@link dev.sekisho.reports.Problem}
 * and the reader goes on with the next record, entry, mail or file.
 *
 * <p>Files and folders are read on {@link #DEFAULT_PARSER_THREADS} parser threads, a file on each, while the visitor
 * (and a store behind it) takes what the files hold on the caller's thread, in the files' order: it sees the same
 * calls in the same order as from one thread ({@code OrderedHandOff}). A stream is read on the caller's thread.
 *
 * <p>A reader holds only its settings and may be shared between threads; each call is one run.
 */
public final class ReportReader {
    /** Parser threads for files and folders: two keep a 2-core machine busy beside a store's writer thread. */
    public static final int DEFAULT_PARSER_THREADS = 2;

    private final ReportLimits limits;
    private final int parserThreads;

    /** @param parserThreads threads that read files and folders; 1 reads them on the caller's thread */
    public ReportReader(ReportLimits limits, int parserThreads) {
        this.limits = Objects.requireNonNull(limits, "limits");
        if (parserThreads < 1) throw new IllegalArgumentException("parserThreads must be positive: " + parserThreads);
        this.parserThreads = parserThreads;
    }

    public ReportReader(ReportLimits limits) {
        this(limits, DEFAULT_PARSER_THREADS);
    }

    public ReportReader() {
        this(ReportLimits.defaults());
    }

    /** Reads each path (a file or a folder) in order. */
    public ImportSummary read(List<Path> paths, ReportVisitor visitor) {
        ImportSummary summary;
        if (parserThreads == 1) {
            Run run = new Run(limits, visitor, new Run.Parsers());
            for (Path path : paths) path(input -> input.read(run), path, true);
            summary = run.summary();
        } else {
            try (OrderedHandOff handOff = new OrderedHandOff(limits, visitor, parserThreads)) {
                for (Path path : paths) path(handOff::add, path, true);
                summary = handOff.finish();
            }
        }
        visitor.endOfInput();
        return summary;
    }

    /** Reads one file or folder. */
    public ImportSummary read(Path path, ReportVisitor visitor) {
        return read(List.of(path), visitor);
    }

    /** Reads one stream (not closed), named {@code name} in problems and origins. */
    public ImportSummary read(String name, InputStream in, ReportVisitor visitor) {
        Run run = new Run(limits, visitor, new Run.Parsers());
        run.file(Origin.of(name), in);
        visitor.endOfInput();
        return run.summary();
    }

    /** Walks {@code path}, handing each file to read (or each path that cannot be read) to {@code inputs}, in order. */
    private static void path(Consumer<OrderedHandOff.Input> inputs, Path path, boolean given) {
        // Links are followed only where the caller named them, so a link cannot make a walk loop.
        LinkOption[] links = given ? new LinkOption[0] : new LinkOption[]{LinkOption.NOFOLLOW_LINKS};
        if (Files.isDirectory(path, links)) {
            folder(inputs, path);
        } else if (Files.isRegularFile(path, links)) {
            inputs.accept(run -> {
                try (InputStream in = Files.newInputStream(path)) {
                    run.file(Origin.of(path.toString()), in);
                } catch (IOException e) {
                    run.unreadable(Origin.of(path.toString()), e);
                }
            });
        } else if (given) {
            inputs.accept(run -> run.unreadable(Origin.of(path.toString()), new IOException("no such file or folder")));
        }
    }

    private static void folder(Consumer<OrderedHandOff.Input> inputs, Path folder) {
        boolean maildir = Files.isDirectory(folder.resolve("cur")) && Files.isDirectory(folder.resolve("new"));
        List<Path> children;
        try (Stream<Path> list = Files.list(folder)) {
            children = list.sorted().toList();
        } catch (IOException e) {
            inputs.accept(run -> run.unreadable(Origin.of(folder.toString()), e));
            return;
        }
        for (Path child : children) {
            String name = child.getFileName().toString();
            if (maildir) {
                // Maildir: mails in cur and new (tmp holds mails still being delivered); Maildir++ folders start with ".".
                boolean mailFolder = name.equals("cur") || name.equals("new");
                boolean subfolder = name.startsWith(".") && !name.equals(".") && !name.equals("..") && Files.isDirectory(child);
                if (mailFolder) {
                    mails(inputs, child);
                } else if (subfolder) {
                    path(inputs, child, false);
                }
            } else if (!name.startsWith(".")) {
                path(inputs, child, false);
            }
        }
    }

    private static void mails(Consumer<OrderedHandOff.Input> inputs, Path folder) {
        List<Path> mails;
        try (Stream<Path> list = Files.list(folder)) {
            mails = list.sorted().toList();
        } catch (IOException e) {
            inputs.accept(run -> run.unreadable(Origin.of(folder.toString()), e));
            return;
        }
        for (Path mail : mails) path(inputs, mail, false);
    }
}
