package io.wsgate.limits;

import io.wsgate.config.RouteConfig;
import io.wsgate.policy.Identity;
import io.wsgate.policy.RoutePolicy;
import io.wsgate.policy.Session;
import io.wsgate.testing.ManualTime;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.wsgate.limits.TestRoutes.rate;
import static io.wsgate.limits.TestRoutes.route;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

class AllocationTest {
    @Test
    void allowedMessagesAllocateNothingPerMessage() {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        assumeThat(mx.isThreadAllocatedMemorySupported()).isTrue();
        mx.setThreadAllocatedMemoryEnabled(true);
        ManualTime clock = new ManualTime(1_000_000_000L);
        Limits limits = new Limits(clock, null, 1000);
        RoutePolicy r = route("/chat", null, rate(1_000_000, Duration.ofSeconds(1)), rate(1_000_000, Duration.ofSeconds(1)),
                0, Map.of("send", rate(1_000_000, Duration.ofSeconds(1), 0, RouteConfig.Scope.CONNECTION),
                        "typing", rate(1_000_000, Duration.ofSeconds(1), 0, RouteConfig.Scope.USER)));
        Session s = new Session(1, "1.2.3.4", "/chat", 0);
        s.identity(new Identity("alice", List.of(), "j", 0, Long.MAX_VALUE, "d"));
        SessionLimits sl = limits.forSession(s);
        String[] events = {"send", "typing", "free"};
        for (int i = 0; i < 200_000; i++) {
            sl.tryMessage(r, events[i % 3]);
            sl.tryControl(r);
            clock.advanceNanos(10_000);
        }
        long tid = Thread.currentThread().getId();
        long before = mx.getThreadAllocatedBytes(tid);
        int n = 100_000;
        long refused = 0;
        for (int i = 0; i < n; i++) {
            refused += sl.tryMessage(r, events[i % 3]);
            clock.advanceNanos(10_000);
        }
        long perMessage = (mx.getThreadAllocatedBytes(tid) - before) / n;
        assertThat(refused).isZero();
        assertThat(perMessage).as("bytes allocated per allowed message").isLessThan(8);
    }
}
