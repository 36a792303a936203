package dev.sekisho.reports.mailbox;

import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.FolderClosedException;
import jakarta.mail.MessagingException;
import org.junit.jupiter.api.Test;

import javax.net.ssl.SSLHandshakeException;
import java.net.ConnectException;
import java.security.cert.CertificateException;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ImapSettingsTest {
    private static ImapSettings settings(String folder, String archive, String invalid) {
        return new ImapSettings("IMAP.Example.com", 993, ImapSettings.Security.IMPLICIT_TLS, "dmarc", "s3cret-password", folder, archive,
                invalid, List.of(), Duration.ofSeconds(60));
    }

    @Test
    void theLocationAndTextNeverHoldThePassword() {
        ImapSettings s = settings("INBOX", "Archive", "Invalid");
        assertThat(s.location()).isEqualTo("imaps://dmarc@imap.example.com:993/INBOX");
        assertThat(s.toString()).isEqualTo("imaps://dmarc@imap.example.com:993/INBOX (IMPLICIT_TLS, archive Archive, invalid Invalid)")
                .doesNotContain("s3cret");
        ImapSettings v6 = new ImapSettings("::1", 143, ImapSettings.Security.STARTTLS, "u", "p", "INBOX", "A", "B", List.of(), Duration.ofSeconds(5));
        assertThat(v6.location()).isEqualTo("imap://u@[::1]:143/INBOX");
    }

    @Test
    void theThreeFoldersMustDifferWithInboxInAnyCase() {
        assertThatThrownBy(() -> settings("INBOX", "inbox", "Invalid")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("three different folders");
        assertThatThrownBy(() -> settings("Reports", "Done", "Done")).isInstanceOf(IllegalArgumentException.class);
        assertThat(settings("Reports", "reports", "Invalid").archiveFolder()).as("only INBOX is case-insensitive (RFC 3501 5.1)").isEqualTo("reports");
        assertThatThrownBy(() -> new ImapSettings("h", 0, ImapSettings.Security.IMPLICIT_TLS, "u", "p", "INBOX", "A", "B", List.of(), Duration.ofSeconds(1)))
                .hasMessage("the IMAP port must be 1 to 65535, was 0");
    }

    @Test
    void failuresARetryCannotFixAreRefusalsAndTheRestAreRetried() {
        assertThat(ImapMailbox.translate("open", new AuthenticationFailedException("[AUTHENTICATIONFAILED] Authentication failed.")).kind())
                .isEqualTo(MailboxException.Kind.REFUSED);
        SSLHandshakeException untrusted = new SSLHandshakeException("PKIX path building failed");
        untrusted.initCause(new CertificateException("unable to find valid certification path"));
        MailboxException certificate = ImapMailbox.translate("open", new MessagingException("Couldn't connect to host", untrusted));
        assertThat(certificate.kind()).isEqualTo(MailboxException.Kind.REFUSED);
        assertThat(certificate.getMessage()).contains("certificate is not trusted");
        assertThat(ImapMailbox.translate("open", new MessagingException("Couldn't connect to host", new ConnectException("Connection refused"))).kind())
                .isEqualTo(MailboxException.Kind.UNREACHABLE);
        assertThat(ImapMailbox.translate("wait", new FolderClosedException(null, "* BYE Server shutting down.")).kind())
                .isEqualTo(MailboxException.Kind.UNREACHABLE);
    }
}
