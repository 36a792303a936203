package dev.sekisho.bench;

import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * What one load run does.
 *
 * @param target        the policy server
 * @param concurrency   persistent connections, each one closed loop (next request after the reply)
 * @param warmup        time to send before measuring (JIT, caches, connection set-up); not in the report
 * @param measure       the measured period; with a request limit, the upper bound on it
 * @param requestLimit  stop measuring after this many replies in total; 0 for no limit
 * @param fillTriplets  instead of the mix, send this many requests with distinct greylist
 *                      triplets as fast as possible (no warm-up; all of them measured); 0 for the mix
 * @param seed          fixes the traffic mix and every worker's choices
 * @param mixSize       how many distinct clients and senders the mix draws from
 * @param policyContext the policy_context attribute sent
 * @param replyTimeout  a request without a reply after this long counts as an error
 */
public record LoadSettings(InetSocketAddress target, int concurrency, Duration warmup, Duration measure,
                           long requestLimit, long fillTriplets, long seed, MixSize mixSize,
                           String policyContext, Duration replyTimeout) {

    /** Distinct client addresses and senders in the traffic mix. */
    public record MixSize(int clients, int senders) {
        public static MixSize defaults() {
            return new MixSize(TrafficMix.DEFAULT_CLIENTS, TrafficMix.DEFAULT_SENDERS);
        }
    }

    public LoadSettings {
        if (concurrency < 1 || concurrency > 10_000) throw new IllegalArgumentException("concurrency must be 1..10000, was " + concurrency);
        if (warmup.isNegative()) throw new IllegalArgumentException("warm-up cannot be negative, was " + warmup);
        if (measure.isNegative() || measure.isZero()) throw new IllegalArgumentException("measured period must be positive, was " + measure);
        if (requestLimit < 0) throw new IllegalArgumentException("request limit cannot be negative, was " + requestLimit);
        if (fillTriplets < 0) throw new IllegalArgumentException("triplet count cannot be negative, was " + fillTriplets);
        if (replyTimeout.isNegative() || replyTimeout.isZero()) throw new IllegalArgumentException("reply timeout must be positive, was " + replyTimeout);
    }

    public boolean fillsTriplets() {
        return fillTriplets > 0;
    }

    public LoadSettings withConcurrency(int newConcurrency) {
        return new LoadSettings(target, newConcurrency, warmup, measure, requestLimit, fillTriplets, seed, mixSize, policyContext, replyTimeout);
    }
}
