package dev.sekisho.reports.mailbox;

import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Where an IMAP mailbox is and how to log in to it.
 *
 * @param host          the server's name or address (the certificate must name it)
 * @param port          its port (993 for implicit TLS, 143 for STARTTLS)
 * @param security      how the connection is protected
 * @param user          the login
 * @param password      the password (never printed: {@link #toString()} leaves it out)
 * @param folder        the folder reports arrive in (INBOX)
 * @param archiveFolder where mails go once their reports are stored; created when missing
 * @param invalidFolder where mails without a readable report go; created when missing
 * @param trusted       certificates to trust instead of the JDK's CAs (a self-signed server); empty for the JDK's
 * @param timeout       connecting and waiting for an answer
 */
public record ImapSettings(String host, int port, Security security, String user, String password, String folder,
                           String archiveFolder, String invalidFolder, List<X509Certificate> trusted, Duration timeout) {
    public enum Security {
        /** TLS from the first byte (RFC 8314 3.2, "imaps"); the default. */
        IMPLICIT_TLS(993),
        /** Plain connection upgraded with STARTTLS (RFC 3501 6.2.1), which must succeed before the login. */
        STARTTLS(143),
        /** No TLS at all: refused unless the host is a loopback address (tests). */
        INSECURE(143);

        private final int defaultPort;

        Security(int defaultPort) {
            this.defaultPort = defaultPort;
        }

        public int defaultPort() {
            return defaultPort;
        }
    }

    public ImapSettings {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(security, "security");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(password, "password");
        Objects.requireNonNull(folder, "folder");
        Objects.requireNonNull(archiveFolder, "archiveFolder");
        Objects.requireNonNull(invalidFolder, "invalidFolder");
        Objects.requireNonNull(timeout, "timeout");
        trusted = List.copyOf(trusted);
        if (host.isBlank()) throw new IllegalArgumentException("the IMAP host is empty");
        if (port < 1 || port > 65535) throw new IllegalArgumentException("the IMAP port must be 1 to 65535, was " + port);
        if (user.isEmpty()) throw new IllegalArgumentException("the IMAP user is empty");
        for (String[] f : new String[][]{{"folder", folder}, {"archive folder", archiveFolder}, {"invalid folder", invalidFolder}}) {
            if (f[1].isBlank()) throw new IllegalArgumentException("the IMAP " + f[0] + " name is empty");
        }
        if (sameFolder(folder, archiveFolder) || sameFolder(folder, invalidFolder) || sameFolder(archiveFolder, invalidFolder)) {
            throw new IllegalArgumentException("the folder, archive folder and invalid folder must be three different folders, were "
                    + folder + ", " + archiveFolder + " and " + invalidFolder);
        }
        if (timeout.isNegative() || timeout.isZero()) throw new IllegalArgumentException("the IMAP timeout must be positive, was " + timeout);
    }

    /** RFC 3501 5.1: INBOX is case-insensitive, other names are not. */
    private static boolean sameFolder(String a, String b) {
        return a.equalsIgnoreCase("INBOX") && b.equalsIgnoreCase("INBOX") || a.equals(b);
    }

    /** RFC 5092 form, without the password: {@code imaps://user@host:993/INBOX}. */
    public String location() {
        String scheme = security == Security.IMPLICIT_TLS ? "imaps" : "imap";
        String h = host.contains(":") ? "[" + host + "]" : host;
        return scheme + "://" + user + "@" + h.toLowerCase(Locale.ROOT) + ":" + port + "/" + folder;
    }

    @Override
    public String toString() {
        return location() + " (" + security + ", archive " + archiveFolder + ", invalid " + invalidFolder + ")";
    }
}
