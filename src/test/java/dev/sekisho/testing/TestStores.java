package dev.sekisho.testing;

import dev.sekisho.state.StateStore;
import dev.sekisho.state.memory.MemoryStateStore;

import java.time.Instant;

/** State stores for tests of the things that use one. */
public final class TestStores {
    private TestStores() {
    }

    /** An embedded store without a directory and without its background thread; time comes from each request. */
    public static StateStore inMemory() {
        return MemoryStateStore.inMemory(MemoryStateStore.Options.defaults().withMaintenanceThread(false), () -> Instant.EPOCH);
    }
}
