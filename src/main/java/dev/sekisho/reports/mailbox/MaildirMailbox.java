package dev.sekisho.reports.mailbox;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A local Maildir: mails wait in {@code new/} and {@code cur/}; processed ones move into Maildir++ sub-folders of
 * it ({@code .Archive}, {@code .Invalid}), created when missing, by one rename each, so a mail is always whole in
 * exactly one place. {@code tmp/} holds mails still being delivered and is never read.
 */
public final class MaildirMailbox implements Mailbox {
    private final Path root;
    private final String archiveFolder;
    private final String invalidFolder;
    private final Path archive;
    private final Path invalid;

    private MaildirMailbox(Path root, String archiveFolder, String invalidFolder) {
        this.root = root;
        this.archiveFolder = archiveFolder;
        this.invalidFolder = invalidFolder;
        this.archive = root.resolve("." + archiveFolder);
        this.invalid = root.resolve("." + invalidFolder);
    }

    /**
     * Opens the Maildir at {@code root} (it must hold {@code cur} and {@code new}) and creates the two sub-folders
     * when missing. Folder names are Maildir++ names without the leading dot ("Archive", "Reports.Done"); a leading
     * dot is accepted and dropped.
     */
    public static MaildirMailbox open(Path root, String archiveFolder, String invalidFolder) throws MailboxException {
        String archive = folderName("archive", archiveFolder);
        String invalid = folderName("invalid", invalidFolder);
        if (archive.equals(invalid)) {
            throw new MailboxException(MailboxException.Kind.REFUSED, "the archive and invalid folders must differ, both are ." + archive);
        }
        if (!Files.isDirectory(root.resolve("cur")) || !Files.isDirectory(root.resolve("new"))) {
            throw new MailboxException(MailboxException.Kind.REFUSED, root + " is not a Maildir (it needs the folders cur and new)");
        }
        MaildirMailbox mailbox = new MaildirMailbox(root, archive, invalid);
        try {
            create(mailbox.archive);
            create(mailbox.invalid);
        } catch (IOException e) {
            throw new MailboxException(MailboxException.Kind.REFUSED, "cannot create a Maildir++ folder in " + root + ": " + e, e);
        }
        return mailbox;
    }

    private static String folderName(String which, String name) throws MailboxException {
        String n = name.startsWith(".") ? name.substring(1) : name;
        // Maildir++: a folder is a directory ".NAME" in the top Maildir, its hierarchy separated by dots.
        if (n.isEmpty() || n.contains("/") || n.startsWith(".") || n.endsWith(".") || n.contains("..")) {
            throw new MailboxException(MailboxException.Kind.REFUSED,
                    "the " + which + " folder must be a Maildir++ folder name such as Archive or Reports.Done, was '" + name + "'");
        }
        return n;
    }

    private static void create(Path folder) throws IOException {
        for (String sub : List.of("tmp", "new", "cur")) Files.createDirectories(folder.resolve(sub));
        // Maildir++: the marker file that tells delivery agents this is a sub-folder, not a top Maildir.
        Path marker = folder.resolve("maildirfolder");
        if (!Files.exists(marker)) Files.createFile(marker);
    }

    @Override
    public String location() {
        return root.toString();
    }

    @Override
    public String archiveFolder() {
        return "." + archiveFolder;
    }

    @Override
    public String invalidFolder() {
        return "." + invalidFolder;
    }

    @Override
    public List<MailRef> waiting() throws IOException {
        List<Path> mails = new ArrayList<>();
        for (String sub : List.of("new", "cur")) {
            try (Stream<Path> list = Files.list(root.resolve(sub))) {
                // Names starting with a dot are not mails (maildir(5)).
                list.filter(p -> !p.getFileName().toString().startsWith(".") && Files.isRegularFile(p)).forEach(mails::add);
            } catch (NoSuchFileException e) {
                throw new MailboxException(MailboxException.Kind.REFUSED, root + " is no longer a Maildir: " + e.getFile() + " is missing", e);
            }
        }
        // Delivery names start with the delivery time in seconds: name order is about arrival order.
        mails.sort(Comparator.comparing((Path p) -> p.getFileName().toString()));
        return mails.stream().map(p -> new MailRef(root.relativize(p).toString(), p.toString())).toList();
    }

    @Override
    public Optional<byte[]> read(MailRef mail, int maxBytes) throws IOException {
        try (InputStream in = Files.newInputStream(root.resolve(mail.id()))) {
            return Optional.of(in.readNBytes(maxBytes));
        } catch (NoSuchFileException e) {
            return Optional.empty(); // a mail client moved it (new to cur, or a flag change): found again next pass
        }
    }

    @Override
    public boolean archive(MailRef mail) throws IOException {
        return move(mail, archive);
    }

    @Override
    public boolean reject(MailRef mail) throws IOException {
        return move(mail, invalid);
    }

    /**
     * Renames the mail into the folder's cur/ (maildir(5): a mail read by a client lives in cur with an info
     * suffix). One rename on one file system: the mail is whole in the old place or in the new one, never both,
     * never half. A name already taken there (the same mail archived before, then restored) gets a counter, since
     * rename would replace the file that holds that name.
     */
    private boolean move(MailRef mail, Path folder) throws IOException {
        Path source = root.resolve(mail.id());
        String name = source.getFileName().toString();
        boolean fromNew = source.getParent().getFileName().toString().equals("new");
        int colon = name.indexOf(':');
        String base = colon < 0 ? name : name.substring(0, colon);
        // maildir(5): ":2," begins the flags; S = seen. A mail moved out of new/ has none yet.
        String info = colon < 0 || fromNew ? ":2,S" : name.substring(colon);
        Path target = folder.resolve("cur").resolve(base + info);
        for (int n = 1; Files.exists(target); n++) target = folder.resolve("cur").resolve(base + "." + n + info);
        try {
            Files.move(source, target, StandardCopyOption.ATOMIC_MOVE);
            return true;
        } catch (NoSuchFileException e) {
            if (!Files.exists(source)) return false; // a mail client took it first
            throw new MailboxException(MailboxException.Kind.REFUSED, "cannot move " + source + " to " + target + ": " + e, e);
        } catch (AtomicMoveNotSupportedException | FileAlreadyExistsException e) {
            throw new MailboxException(MailboxException.Kind.REFUSED, "cannot move " + source + " to " + target + ": " + e, e);
        }
    }

    @Override
    public void await(Duration poll, int waitingNow, Pause pause, StopSignal stop) throws InterruptedException {
        // Polling: a file-system watch would miss deliveries on network file systems, where Maildirs often live.
        if (!stop.isStopped()) pause.pause(poll);
    }

    @Override
    public void close() {
    }
}
