package dev.sekisho.config;

import dev.sekisho.engine.Action;
import dev.sekisho.state.RateWindow;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/** One entry of a service's {@code checks:} list; {@code type} picks the record. */
public sealed interface CheckConfig {

    /** The name in explanations and logs; defaults to the type. */
    String name();

    /** Honour restrictions imposed by rules or by support staff. */
    record Restrictions(String name, Action action) implements CheckConfig {
    }

    /** A hit on the allow list ends the checks with DUNNO (Postfix's own restrictions still apply). */
    record AllowList(String name) implements CheckConfig {
    }

    record DenyList(String name, Action action) implements CheckConfig {
    }

    enum RateKey {
        CLIENT_IP, CLIENT_NETWORK, SASL_USERNAME, SENDER, SENDER_DOMAIN, RECIPIENT_DOMAIN
    }

    enum RateUnit {
        /** charged at END-OF-MESSAGE; RCPT only checks that one more fits */
        MESSAGES,
        /** charged per accepted RCPT */
        RECIPIENTS,
        /** the message size, charged at END-OF-MESSAGE; RCPT checks the SIZE= estimate */
        BYTES
    }

    record RateLimit(String name, RateKey key, RateUnit count, List<RateWindow> windows, Action action, ListConfig exempt)
            implements CheckConfig {
        public RateLimit {
            windows = List.copyOf(windows);
        }
    }

    /**
     * postgrey's greylisting. {@code allowClientNames} are Postfix-verified client host names (or
     * ".suffix" patterns) of large senders that retry from many addresses.
     */
    record Greylist(String name, Duration delay, Duration retryWindow, Duration maxAge, int autoAllowAfter,
                    List<String> allowClientNames, boolean skipAuthenticated, Action action) implements CheckConfig {
        public Greylist {
            allowClientNames = List.copyOf(allowClientNames);
        }
    }

    enum MismatchMatch {
        /** the sender must be the login itself */
        ADDRESS,
        /** the sender must be in the login's domain */
        DOMAIN
    }

    /**
     * @param owners     extra senders (addresses, or "@domain") each login may use
     * @param loginDomain the domain of logins that carry none ("alice" means alice@loginDomain)
     * @param action     what to do with a mismatch; null only logs it
     */
    record SenderLoginMismatch(String name, MismatchMatch match, Map<String, List<String>> owners, String loginDomain,
                               Action action) implements CheckConfig {
        public SenderLoginMismatch {
            owners = Map.copyOf(owners);
        }
    }
}
