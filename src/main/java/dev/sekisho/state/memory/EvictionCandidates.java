package dev.sekisho.state.memory;

/**
 * One kind of key's side of eviction: it offers the entry nearest to expiry among a few sampled, and removes it when
 * asked. The store compares the candidates of every kind and evicts the one that would have expired first.
 */
interface EvictionCandidates {
    /** Looks at up to {@code count} entries; @return whether a candidate was found */
    boolean sample(int count);

    /** The candidate's expiry, epoch nanoseconds; only after {@link #sample} found one. */
    long candidateExpiry();

    /**
     * Removes the candidate if it has not changed since it was sampled, journaling the removal to {@code changes}
     * under the key's lock (a kind may leave out removals a restart can safely undo: the triplets, those of triplets
     * that never passed); @return whether it was removed
     */
    boolean evictCandidate(StateRecords.Sink changes);
}
