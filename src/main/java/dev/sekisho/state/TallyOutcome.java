package dev.sekisho.state;

import java.time.Instant;
import java.util.List;

/**
 * @param count   members counted in the window now (after the addition), at most the request's cap
 * @param added   true when the request added a member that was not counted before (always for an
 *                event; for a member, only its first sighting in the window)
 * @param oldest  when the least recently seen counted member was seen; the request's time when the
 *                count is zero. With {@code count}, the evidence "n since t".
 * @param members the counted members that have a name (events have none), least recently seen first:
 *                the evidence "which accounts", "which protocols"
 */
public record TallyOutcome(long count, boolean added, Instant oldest, List<String> members) {
    public TallyOutcome {
        members = List.copyOf(members);
    }
}
