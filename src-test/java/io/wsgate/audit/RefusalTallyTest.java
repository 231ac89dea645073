package io.wsgate.audit;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

import static org.assertj.core.api.Assertions.assertThat;

class RefusalTallyTest {
    /** Records what reaches the next audit log. */
    static final class Recording implements AuditLog {
        final List<String> calls = new ArrayList<>();

        @Override
        public synchronized void handshakeRefused(String ip, String route, int status, String reason) {
            calls.add("handshake " + ip + " " + route + " " + status + " " + reason);
        }

        @Override
        public synchronized void messageRefused(long connectionId, String ip, String user, String route, String event,
                                                String reason) {
            calls.add("message " + connectionId + " " + ip + " " + user + " " + route + " " + event + " " + reason);
        }
    }

    @Test
    void countsByIpAndUserAndPassesEveryRefusalOn() {
        Recording next = new Recording();
        RefusalTally t = new RefusalTally(next);
        t.handshakeRefused("10.0.0.1", "/chat", 401, "token required");
        t.messageRefused(7, "10.0.0.2", "bob", "/chat", "nope", "unknown_event");
        t.messageRefused(7, "10.0.0.2", "bob", "/chat", "nope", "unknown_event");
        t.messageRefused(8, "10.0.0.1", "carol", "/chat", "kick", "forbidden");
        t.messageRefused(9, "10.0.0.3", null, "/pub", "x", "invalid");

        assertThat(t.topIps(10)).containsExactly(new RefusalTally.Count("10.0.0.1", 2), new RefusalTally.Count("10.0.0.2", 2),
                new RefusalTally.Count("10.0.0.3", 1));
        assertThat(t.topUsers(10)).containsExactly(new RefusalTally.Count("bob", 2), new RefusalTally.Count("carol", 1));
        assertThat(t.topIps(1)).containsExactly(new RefusalTally.Count("10.0.0.1", 2));
        assertThat(next.calls).containsExactly(
                "handshake 10.0.0.1 /chat 401 token required",
                "message 7 10.0.0.2 bob /chat nope unknown_event",
                "message 7 10.0.0.2 bob /chat nope unknown_event",
                "message 8 10.0.0.1 carol /chat kick forbidden",
                "message 9 10.0.0.3 null /pub x invalid");
    }

    @Test
    void aFloodOfAddressesIsBoundedByOneOtherBucket() {
        RefusalTally t = new RefusalTally(AuditLog.OFF);
        int extra = 500;
        for (int i = 0; i < RefusalTally.MAX_KEYS + extra; i++) {
            t.handshakeRefused("ip-" + i, "/chat", 429, "rate");
        }
        t.handshakeRefused("ip-0", "/chat", 429, "rate"); // a key already kept still counts as itself
        List<RefusalTally.Count> all = t.topIps(Integer.MAX_VALUE);
        assertThat(all).hasSizeLessThanOrEqualTo(RefusalTally.MAX_KEYS + 1);
        assertThat(all.get(0)).isEqualTo(new RefusalTally.Count(RefusalTally.OTHER, extra));
        assertThat(all).contains(new RefusalTally.Count("ip-0", 2));
        assertThat(all.stream().mapToLong(RefusalTally.Count::count).sum()).isEqualTo(RefusalTally.MAX_KEYS + extra + 1L);
    }

    @Test
    void concurrentRefusalsAreAllCounted() throws Exception {
        RefusalTally t = new RefusalTally(AuditLog.OFF);
        int threads = 4;
        int each = 20_000;
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> ts = new ArrayList<>();
        for (int k = 0; k < threads; k++) {
            Thread th = new Thread(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < each; i++) {
                    t.messageRefused(i, "ip-" + (i % 3), "u" + (i % 2), "/chat", "e", "invalid");
                }
            });
            th.start();
            ts.add(th);
        }
        go.countDown();
        for (Thread th : ts) {
            th.join();
        }
        assertThat(t.topUsers(10).stream().mapToLong(RefusalTally.Count::count).sum()).isEqualTo((long) threads * each);
        assertThat(t.topIps(10).stream().mapToLong(RefusalTally.Count::count).sum()).isEqualTo((long) threads * each);
    }
}
