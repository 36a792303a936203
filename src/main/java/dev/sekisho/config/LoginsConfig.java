package dev.sekisho.config;

import dev.sekisho.backoff.Backoff;
import inet.ipaddr.IPAddress;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Counting password failures and locking out what guesses (the {@code logins} section; see
 * docs/configuration.md and docs/logins.md).
 *
 * @param enabled       count failures and answer login questions at all
 * @param window        how long a failure counts
 * @param account       thresholds per account (brute force); distinct = different passwords tried
 * @param ip            thresholds per client address (reverse brute force); distinct = accounts tried
 * @param network       thresholds per client network (spraying from a pool); distinct = accounts tried
 * @param ipv4Prefix    the network of an IPv4 client
 * @param ipv6Prefix    the network of an IPv6 client
 * @param exempt        client networks never counted or blocked by address (webmail front ends, own
 *                      proxies); their failures still count against the account
 * @param delay         the pause for the first attempt at a delay threshold; each further failure adds as much
 * @param maxDelay      the longest pause
 * @param blocks        how long blocks last
 * @param failOpen      when the state cannot answer: allow logins (true) or refuse them
 * @param dovecot       the Dovecot auth policy endpoint
 */
public record LoginsConfig(boolean enabled, Duration window, Thresholds account, Thresholds ip, Thresholds network,
                           int ipv4Prefix, int ipv6Prefix, List<IPAddress> exempt, Duration delay, Duration maxDelay,
                           Blocks blocks, boolean failOpen, Dovecot dovecot) {

    public LoginsConfig {
        exempt = List.copyOf(exempt);
    }

    /**
     * Counts over {@link #window}; 0 turns a threshold off.
     *
     * @param delayAfter         failures from which every further attempt is delayed
     * @param blockAfter         failures at which the subject is blocked
     * @param distinctBlockAfter distinct passwords (account) or accounts (ip, network) at which it is blocked
     */
    public record Thresholds(int delayAfter, int blockAfter, int distinctBlockAfter) {
        /** The largest count any threshold compares with: what a tally must hold. */
        public int largest() {
            return Math.max(1, Math.max(delayAfter, Math.max(blockAfter, distinctBlockAfter)));
        }
    }

    /**
     * A block lasts {@code lengths.first()}, times {@code lengths.growth()} for each earlier block of the same subject
     * within {@code remember}, at most {@code lengths.max()} (keys {@code block.first}, {@code block.growth},
     * {@code block.max}, {@code block.remember}).
     */
    public record Blocks(Backoff lengths, Duration remember) {
        /** The length of the {@code offence}th block (1 for the first). */
        public Duration length(long offence) {
            return lengths.after(offence);
        }
    }

    /**
     * @param enabled   serve the endpoint on the HTTP listener
     * @param path      where (Dovecot's {@code auth_policy_server_url} points here)
     * @param apiHeader the header Dovecot sends the key in ({@code auth_policy_server_api_header})
     * @param apiKey    the key given in the file, or "" when {@code apiKeyFile} holds it
     * @param apiKeyFile the file holding the key; null for the data directory's {@code dovecot-api-key}
     *                   (created at first start) unless {@code apiKey} is set
     * @param listen    a listener of its own for the endpoint; null to serve it on {@code listen.http}
     */
    public record Dovecot(boolean enabled, String path, String apiHeader, String apiKey, Path apiKeyFile,
                          java.net.InetSocketAddress listen) {
    }
}
