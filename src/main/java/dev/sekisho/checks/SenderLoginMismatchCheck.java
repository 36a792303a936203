package dev.sekisho.checks;

import dev.sekisho.config.CheckConfig;
import dev.sekisho.engine.Check;
import dev.sekisho.engine.CheckResult;
import dev.sekisho.engine.EvaluationContext;
import dev.sekisho.engine.Explanation;
import dev.sekisho.engine.Stage;
import dev.sekisho.engine.Transaction;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * On submission, the envelope sender must belong to the authenticated account: the login itself,
 * its domain, or what the owners table grants. Stolen credentials are mostly used to send as
 * someone else; this stops that, or only logs it while an operator learns their users' habits.
 */
public final class SenderLoginMismatchCheck implements Check {
    private final CheckConfig.SenderLoginMismatch config;

    public SenderLoginMismatchCheck(CheckConfig.SenderLoginMismatch config) {
        this.config = config;
    }

    @Override
    public String name() {
        return config.name();
    }

    @Override
    public CheckResult evaluate(Transaction tx, EvaluationContext context) {
        if (tx.stage() != Stage.MAIL && tx.stage() != Stage.RCPT) return CheckResult.pass(Explanation.of(name(), "checked at MAIL and RCPT"));
        if (!tx.authenticated()) return CheckResult.pass(Explanation.of(name(), "not authenticated"));
        // RFC 5321 4.5.5: the null sender is for notifications; it claims no owner.
        if (tx.sender().isEmpty()) return CheckResult.pass(Explanation.of(name(), "null sender"));
        String login = tx.saslUsername().toLowerCase(Locale.ROOT);
        String account = login.indexOf('@') < 0 && !config.loginDomain().isEmpty() ? login + "@" + config.loginDomain() : login;
        String sender = tx.sender().toLowerCase(Locale.ROOT);
        String key = "login=" + login + " sender=" + sender;
        String why = ownership(account, login, sender);
        if (why != null) return CheckResult.pass(new Explanation(name(), why, key, "sender belongs to the account", Map.of()));
        Explanation explanation = new Explanation(name(), "match " + config.match().name().toLowerCase(Locale.ROOT), key,
                "sender is not owned by the authenticated account", Map.of());
        // Log-only: the mismatch is not refused, but it marks the mail doubtful for route-doubtful.
        return config.action() == null ? CheckResult.doubt(explanation) : CheckResult.decide(config.action(), explanation);
    }

    /** Which rule makes the sender the account's, or null. */
    private String ownership(String account, String login, String sender) {
        if (sender.equals(account)) return "same address";
        if (config.match() == CheckConfig.MismatchMatch.DOMAIN) {
            String accountDomain = Transaction.domainOf(account);
            if (!accountDomain.isEmpty() && accountDomain.equals(Transaction.domainOf(sender))) return "same domain";
        }
        List<String> owned = config.owners().getOrDefault(account, config.owners().get(login));
        if (owned != null) {
            for (String entry : owned) {
                if (entry.equals(sender)) return "owners table";
                if (entry.startsWith("@") && entry.substring(1).equals(Transaction.domainOf(sender))) return "owners table";
            }
        }
        return null;
    }
}
