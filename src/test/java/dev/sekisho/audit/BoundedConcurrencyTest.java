package dev.sekisho.audit;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BoundedConcurrencyTest {

    @Test
    void resultsComeBackInInputOrderAndAFailureBecomesThatInputsResult() {
        List<Integer> inputs = IntStream.range(0, 200).boxed().toList();
        AtomicInteger progress = new AtomicInteger();
        List<String> results = new BoundedConcurrency(8).run(inputs, i -> {
            if (i == 7) throw new IllegalStateException("seven");
            return "r" + i;
        }, (i, e) -> "failed " + i + ": " + e.getMessage(), done -> progress.accumulateAndGet(done, Math::max));
        assertThat(results).hasSize(200);
        assertThat(results.get(0)).isEqualTo("r0");
        assertThat(results.get(7)).isEqualTo("failed 7: seven");
        assertThat(results.get(199)).isEqualTo("r199");
        assertThat(progress.get()).isEqualTo(200);
    }

    @Test
    void neverRunsMoreThanTheBoundAtOnceAndDoesReachIt() throws Exception {
        int bound = 4;
        AtomicInteger running = new AtomicInteger();
        AtomicInteger highest = new AtomicInteger();
        CountDownLatch allAtTheBound = new CountDownLatch(bound);
        List<Integer> inputs = IntStream.range(0, 40).boxed().toList();
        new BoundedConcurrency(bound).run(inputs, i -> {
            highest.accumulateAndGet(running.incrementAndGet(), Math::max);
            allAtTheBound.countDown();
            try {
                // The first four wait until all four run at once, which shows they run concurrently; later ones pass straight through.
                allAtTheBound.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            running.decrementAndGet();
            return i;
        }, (i, e) -> -1, done -> {
        });
        assertThat(allAtTheBound.getCount()).isZero();
        assertThat(highest.get()).isEqualTo(bound);
    }

    @Test
    void aBoundBelowOneIsRefusedNamingIt() {
        assertThatThrownBy(() -> new BoundedConcurrency(0)).hasMessageContaining("was 0");
    }
}
