package dev.sekisho.notify;

import dev.sekisho.config.NotifyConfig;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import org.eclipse.angus.mail.smtp.SMTPAddressFailedException;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;
import org.eclipse.angus.mail.smtp.SMTPSenderFailedException;

import java.time.Instant;
import java.util.Date;
import java.util.Properties;

/**
 * Sends one text mail through the configured SMTP relay with Angus Mail: UTF-8 text/plain, the
 * subject encoded per RFC 2047, the body in base64 (Japanese) or quoted-printable (English).
 * SMTP 5xx answers are permanent (RFC 5321 §4.2.1), 4xx and broken connections temporary.
 */
public final class SmtpRelay {
    private final NotifyConfig.Relay relay;
    private final InternetAddress from;
    private final Session session;

    public SmtpRelay(NotifyConfig.Relay relay, String from, String heloName) {
        this.relay = relay;
        try {
            InternetAddress parsed = new InternetAddress(from, true);
            // A parsed display name ("関所 <sekisho@example.jp>") would be written back raw; set
            // again it is written as RFC 2047 encoded-words (RFC 2047 §5(3)).
            this.from = parsed.getPersonal() == null ? parsed : new InternetAddress(parsed.getAddress(), parsed.getPersonal(), "UTF-8");
        } catch (jakarta.mail.internet.AddressException | java.io.UnsupportedEncodingException e) {
            throw new IllegalArgumentException("not a mail address: " + from, e);
        }
        Properties p = new Properties();
        p.setProperty("mail.transport.protocol", "smtp");
        p.setProperty("mail.smtp.host", relay.host());
        p.setProperty("mail.smtp.port", Integer.toString(relay.port()));
        String millis = Long.toString(relay.timeout().toMillis());
        p.setProperty("mail.smtp.connectiontimeout", millis);
        p.setProperty("mail.smtp.timeout", millis);
        p.setProperty("mail.smtp.writetimeout", millis);
        // The EHLO name and the Message-ID's domain: given, so Angus never asks DNS for the local host name.
        p.setProperty("mail.smtp.localhost", heloName);
        p.setProperty("mail.from", this.from.getAddress());
        p.setProperty("mail.smtp.from", this.from.getAddress()); // envelope sender: bounces go to From
        switch (relay.starttls()) {
            case REQUIRED -> {
                p.setProperty("mail.smtp.starttls.enable", "true");
                p.setProperty("mail.smtp.starttls.required", "true"); // no STARTTLS offered: refuse rather than send in clear
            }
            case OPTIONAL -> p.setProperty("mail.smtp.starttls.enable", "true");
            case OFF -> p.setProperty("mail.smtp.starttls.enable", "false");
        }
        // Angus does not check the certificate's name against the host unless told to (RFC 6125).
        p.setProperty("mail.smtp.ssl.checkserveridentity", "true");
        if (!relay.username().isEmpty()) p.setProperty("mail.smtp.auth", "true");
        this.session = Session.getInstance(p);
    }

    /** The message as it would be sent (for tests and for {@link #send}). */
    public MimeMessage compose(InternetAddress to, MailTemplates.MailText text, String language, Instant date) throws MessagingException {
        MimeMessage m = new MimeMessage(session);
        m.setFrom(from);
        m.setRecipient(Message.RecipientType.TO, to);
        m.setSubject(text.subject(), "UTF-8"); // RFC 2047 encoded-words when not plain ASCII
        m.setText(text.body(), "UTF-8");       // text/plain; charset=UTF-8
        // Japanese text is mostly non-ASCII: base64 is smaller; English stays readable in quoted-printable.
        m.setHeader("Content-Transfer-Encoding", language.equals("ja") ? "base64" : "quoted-printable");
        m.setHeader("Content-Language", language);
        m.setHeader("Auto-Submitted", "auto-generated"); // RFC 3834 §5: no vacation replies to this
        m.setSentDate(Date.from(date));
        m.saveChanges();
        return m;
    }

    /** One attempt to hand the mail to the relay. */
    public DeliveryOutcome send(InternetAddress to, MailTemplates.MailText text, String language, Instant date) {
        MimeMessage m;
        try {
            m = compose(to, text, language, date);
        } catch (MessagingException e) {
            return new DeliveryOutcome.GiveUp("cannot compose the mail: " + e.getMessage());
        }
        try (Transport transport = session.getTransport("smtp")) {
            if (relay.username().isEmpty()) transport.connect();
            else transport.connect(relay.host(), relay.port(), relay.username(), relay.password());
            transport.sendMessage(m, m.getAllRecipients());
            return new DeliveryOutcome.Delivered("relay " + relay.host() + ":" + relay.port() + " accepted it");
        } catch (AuthenticationFailedException e) {
            return new DeliveryOutcome.Retry("the relay refused the login: " + e.getMessage());
        } catch (MessagingException e) {
            int code = smtpCode(e);
            String why = "relay " + relay.host() + ":" + relay.port() + ": " + oneLine(e);
            if (code >= 500 && code < 600) return new DeliveryOutcome.GiveUp(why);
            return new DeliveryOutcome.Retry(why);
        }
    }

    /** The SMTP reply code carried anywhere in the exception chain, or -1 (no answer, TLS failure ...). */
    static int smtpCode(Exception e) {
        Throwable t = e;
        for (int depth = 0; t != null && depth < 10; depth++) {
            switch (t) {
                case SMTPAddressFailedException a -> { return a.getReturnCode(); }
                case SMTPSenderFailedException s -> { return s.getReturnCode(); }
                case SMTPSendFailedException s -> { return s.getReturnCode(); }
                default -> { }
            }
            Throwable next = t instanceof MessagingException me && me.getNextException() != null ? me.getNextException() : t.getCause();
            t = next == t ? null : next;
        }
        return -1;
    }

    private static String oneLine(Exception e) {
        String message = e.getMessage() == null ? e.toString() : e.getMessage();
        if (e instanceof MessagingException me && me.getNextException() != null && me.getNextException().getMessage() != null) {
            message += " (" + me.getNextException().getMessage() + ")";
        }
        return message.replaceAll("\\s+", " ").strip();
    }
}
