package io.wsgate.audit;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

class AuditRingTest {
    @Test
    void aCursorSeesEveryLineOnceInOrder() {
        AuditRing ring = new AuditRing(10);
        AuditRing.Page empty = ring.since(0, 100);
        assertThat(empty.last()).isZero();
        assertThat(empty.lines()).isEmpty();
        assertThat(ring.since(empty.last(), 100).lines()).as("nothing new").isEmpty();

        ring.add("a");
        ring.add("b");
        AuditRing.Page first = ring.since(empty.last(), 100);
        assertThat(first.lines()).containsExactly("a", "b");
        assertThat(first.last()).isEqualTo(2);
        assertThat(ring.since(first.last(), 100).lines()).isEmpty();

        ring.add("c");
        assertThat(ring.since(first.last(), 100).lines()).containsExactly("c");
        assertThat(ring.since(1, 100).lines()).containsExactly("b", "c");
    }

    @Test
    void keepsOnlyTheLastCapacityLines() {
        AuditRing ring = new AuditRing(3);
        IntStream.rangeClosed(1, 8).forEach(i -> ring.add("l" + i));
        AuditRing.Page p = ring.since(0, 100);
        assertThat(p.lines()).containsExactly("l6", "l7", "l8");
        assertThat(p.last()).isEqualTo(8);
        assertThat(ring.since(6, 100).lines()).containsExactly("l7", "l8");
        assertThat(ring.since(2, 100).lines()).as("a cursor older than the ring: what is kept").containsExactly("l6", "l7", "l8");
    }

    @Test
    void maxGivesTheNewestLines() {
        AuditRing ring = new AuditRing(100);
        IntStream.rangeClosed(1, 50).forEach(i -> ring.add("l" + i));
        AuditRing.Page p = ring.since(0, 2);
        assertThat(p.lines()).containsExactly("l49", "l50");
        assertThat(p.last()).isEqualTo(50);
    }

    @Test
    void aCursorFromBeforeARestartStartsOver() {
        AuditRing ring = new AuditRing(10);
        ring.add("x");
        assertThat(ring.since(9_999, 100).lines()).containsExactly("x");
    }

    @Test
    void writerAndReaderThreadsNeverSeeAGapOrATornPage() throws Exception {
        AuditRing ring = new AuditRing(1_000);
        int total = 20_000;
        CountDownLatch go = new CountDownLatch(1);
        Thread writer = new Thread(() -> {
            try {
                go.await();
            } catch (InterruptedException e) {
                return;
            }
            for (int i = 1; i <= total; i++) {
                ring.add(Integer.toString(i));
            }
        });
        writer.start();
        go.countDown();
        long cursor = 0;
        long seen = 0;
        while (cursor < total) {
            AuditRing.Page p = ring.since(cursor, 1_000);
            List<String> lines = p.lines();
            // numbered last-size+1 .. last: each line's text is its number
            for (int i = 0; i < lines.size(); i++) {
                assertThat(Long.parseLong(lines.get(i))).isEqualTo(p.last() - lines.size() + 1 + i);
            }
            seen += lines.size();
            cursor = p.last();
        }
        writer.join();
        assertThat(cursor).isEqualTo(total);
        assertThat(seen).isPositive().isLessThanOrEqualTo(total);
    }
}
