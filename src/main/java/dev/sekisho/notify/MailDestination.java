package dev.sekisho.notify;

import dev.sekisho.config.NotifyConfig;
import dev.sekisho.engine.Restriction;
import dev.sekisho.engine.Subject;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;

import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Mail about a restriction to one audience: the account's user (ACCOUNT subjects only), or
 * support staff (the configured subject kinds). The language is chosen per recipient: the
 * recipient domain's (or a parent domain's) language when configured, else the default.
 */
public final class MailDestination implements Destination {
    private final MailTemplates.Audience audience;
    private final NotifyConfig.Mail config;
    private final MailTemplates templates;
    private final SmtpRelay relay;
    private final String node;

    public MailDestination(MailTemplates.Audience audience, NotifyConfig.Mail config, MailTemplates templates, SmtpRelay relay, String node) {
        this.audience = audience;
        this.config = config;
        this.templates = templates;
        this.relay = relay;
        this.node = node;
    }

    @Override
    public boolean wants(Restriction r) {
        return recipient(r).isPresent();
    }

    /**
     * Where this mail goes: for the user, the account itself when it is an address, else the
     * configured user-address template filled with it; for support, the support address.
     */
    Optional<InternetAddress> recipient(Restriction r) {
        String address;
        if (audience == MailTemplates.Audience.SUPPORT) {
            if (config.support().isEmpty() || !config.supportSubjects().contains(r.subject().kind())) return Optional.empty();
            address = config.support();
        } else {
            if (r.subject().kind() != Subject.Kind.ACCOUNT) return Optional.empty();
            String account = r.subject().value();
            if (account.indexOf('@') > 0) address = account;
            else if (!config.userAddress().isEmpty()) address = config.userAddress().replace("{account}", account);
            else return Optional.empty();
        }
        try {
            InternetAddress parsed = new InternetAddress(address, true);
            parsed.validate();
            return Optional.of(parsed);
        } catch (AddressException e) {
            return Optional.empty(); // an account that makes no address: no user mail (support still hears)
        }
    }

    /** The language for this recipient: its domain's, a parent domain's, else the default. */
    String languageFor(InternetAddress to) {
        String address = to.getAddress();
        String domain = address.substring(address.lastIndexOf('@') + 1).toLowerCase(Locale.ROOT);
        Map<String, String> byDomain = config.domainLanguages();
        for (String d = domain; !d.isEmpty(); ) {
            String lang = byDomain.get(d);
            if (lang != null) return lang;
            int dot = d.indexOf('.');
            d = dot < 0 ? "" : d.substring(dot + 1);
        }
        return config.language();
    }

    @Override
    public DeliveryOutcome deliver(Restriction r, Instant now) {
        Optional<InternetAddress> to = recipient(r);
        if (to.isEmpty()) return new DeliveryOutcome.GiveUp("no recipient address");
        String language = languageFor(to.get());
        MailTemplates.MailText text = templates.render(audience, language, r, node, config.support());
        return relay.send(to.get(), text, language, now);
    }

    @Override
    public String key() {
        return "mail " + audience.name().toLowerCase(Locale.ROOT);
    }

    @Override
    public String describe(Restriction r) {
        return "mail to " + audience.name().toLowerCase(Locale.ROOT) + " " + recipient(r).map(InternetAddress::getAddress).orElse("(none)");
    }
}
