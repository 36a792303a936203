package dev.sekisho.reports.source;

import dev.sekisho.reports.Origin;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
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
 * <p>A reader holds only its limits and may be shared between threads; each call is one run.
 */
public final class ReportReader {
    private final ReportLimits limits;

    public ReportReader(ReportLimits limits) {
        this.limits = Objects.requireNonNull(limits, "limits");
    }

    public ReportReader() {
        this(ReportLimits.defaults());
    }

    /** Reads each path (a file or a folder) in order. */
    public ImportSummary read(List<Path> paths, ReportVisitor visitor) {
        Run run = new Run(limits, visitor);
        for (Path path : paths) path(run, path, true);
        visitor.endOfInput();
        return run.summary();
    }

    /** Reads one file or folder. */
    public ImportSummary read(Path path, ReportVisitor visitor) {
        return read(List.of(path), visitor);
    }

    /** Reads one stream (not closed), named {@code name} in problems and origins. */
    public ImportSummary read(String name, InputStream in, ReportVisitor visitor) {
        Run run = new Run(limits, visitor);
        run.file(Origin.of(name), in);
        visitor.endOfInput();
        return run.summary();
    }

    private static void path(Run run, Path path, boolean given) {
        // Links are followed only where the caller named them, so a link cannot make a walk loop.
        LinkOption[] links = given ? new LinkOption[0] : new LinkOption[]{LinkOption.NOFOLLOW_LINKS};
        if (Files.isDirectory(path, links)) {
            folder(run, path);
        } else if (Files.isRegularFile(path, links)) {
            try (InputStream in = Files.newInputStream(path)) {
                run.file(Origin.of(path.toString()), in);
            } catch (IOException e) {
                run.unreadable(Origin.of(path.toString()), e);
            }
        } else if (given) {
            run.unreadable(Origin.of(path.toString()), new IOException("no such file or folder"));
        }
    }

    private static void folder(Run run, Path folder) {
        boolean maildir = Files.isDirectory(folder.resolve("cur")) && Files.isDirectory(folder.resolve("new"));
        List<Path> children;
        try (Stream<Path> list = Files.list(folder)) {
            children = list.sorted().toList();
        } catch (IOException e) {
            run.unreadable(Origin.of(folder.toString()), e);
            return;
        }
        for (Path child : children) {
            String name = child.getFileName().toString();
            if (maildir) {
                // Maildir: mails in cur and new (tmp holds mails still being delivered); Maildir++ folders start with ".".
                boolean mailFolder = name.equals("cur") || name.equals("new");
                boolean subfolder = name.startsWith(".") && !name.equals(".") && !name.equals("..") && Files.isDirectory(child);
                if (mailFolder) {
                    mails(run, child);
                } else if (subfolder) {
                    path(run, child, false);
                }
            } else if (!name.startsWith(".")) {
                path(run, child, false);
            }
        }
    }

    private static void mails(Run run, Path folder) {
        try (Stream<Path> list = Files.list(folder)) {
            for (Path mail : list.sorted().toList()) path(run, mail, false);
        } catch (IOException e) {
            run.unreadable(Origin.of(folder.toString()), e);
        }
    }
}
