package io.wsgate.limits;

import io.wsgate.config.InvalidSettingException;
import io.wsgate.config.RouteConfig;
import io.wsgate.policy.Identity;
import io.wsgate.policy.RoutePolicy;
import io.wsgate.policy.Session;
import io.wsgate.testing.ManualTime;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.wsgate.limits.TestRoutes.rate;
import static io.wsgate.limits.TestRoutes.route;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LimitsTest {
    private final ManualTime clock = new ManualTime(1_000_000_000L);
    private final Limits limits = new Limits(clock, null, 10_000);

    private static Session session(long id, String ip, String user) {
        Session s = new Session(id, ip, "/chat", 0);
        if (user != null) {
            s.identity(new Identity(user, List.of("user"), "j" + id, 0, Long.MAX_VALUE, "d" + id));
        }
        return s;
    }

    @Test
    void perIpHandshakeRateWithRetryAfterAndRefill() {
        RoutePolicy r = route("/chat", rate(3, Duration.ofMinutes(1)), null, null, 0, Map.of());
        for (int i = 0; i < 3; i++) {
            assertThat(limits.tryConnect(r, "10.0.0.1")).isZero();
        }
        // greedy refill: one token every 20 s
        assertThat(limits.tryConnect(r, "10.0.0.1")).isEqualTo(20_000);
        assertThat(limits.tryConnect(r, "10.0.0.2")).as("other IP has its own bucket").isZero();
        clock.advance(Duration.ofSeconds(15));
        assertThat(limits.tryConnect(r, "10.0.0.1")).isEqualTo(5_000);
        clock.advance(Duration.ofSeconds(5));
        assertThat(limits.tryConnect(r, "10.0.0.1")).isZero();
        assertThat(limits.tryConnect(r, "10.0.0.1")).isEqualTo(20_000);
        RoutePolicy other = route("/other", rate(1, Duration.ofMinutes(1)), null, null, 0, Map.of());
        assertThat(limits.tryConnect(other, "10.0.0.1")).as("keyed by route and ip").isZero();
        assertThat(limits.storeDown()).isFalse();
    }

    @Test
    void perIpMessagesSharedByConnectionsOfThatIp() {
        RoutePolicy r = route("/chat", null, rate(4, Duration.ofSeconds(10)), null, 0, Map.of());
        SessionLimits a = limits.forSession(session(1, "1.1.1.1", null));
        SessionLimits b = limits.forSession(session(2, "1.1.1.1", null));
        SessionLimits c = limits.forSession(session(3, "2.2.2.2", null));
        assertThat(a.tryMessage(r, "x")).isZero();
        assertThat(b.tryMessage(r, "x")).isZero();
        assertThat(a.tryControl(r)).as("control frames count too").isZero();
        assertThat(b.tryMessage(r, null)).isZero();
        assertThat(a.tryMessage(r, "x")).isEqualTo(2_500);
        assertThat(b.tryControl(r)).isEqualTo(2_500);
        assertThat(c.tryMessage(r, "x")).isZero();
    }

    @Test
    void perUserMessagesSharedAcrossConnectionsAndOnlyWithIdentity() {
        RoutePolicy r = route("/chat", null, null, rate(2, Duration.ofSeconds(1)), 0, Map.of());
        SessionLimits a = limits.forSession(session(1, "1.1.1.1", "alice"));
        SessionLimits b = limits.forSession(session(2, "2.2.2.2", "alice"));
        SessionLimits anon = limits.forSession(session(3, "3.3.3.3", null));
        assertThat(a.tryMessage(r, "x")).isZero();
        assertThat(b.tryMessage(r, "x")).isZero();
        assertThat(a.tryMessage(r, "x")).isEqualTo(500);
        assertThat(b.tryMessage(r, "x")).isEqualTo(500);
        assertThat(b.tryControl(r)).as("control frames skip per-user").isZero();
        for (int i = 0; i < 10; i++) {
            assertThat(anon.tryMessage(r, "x")).isZero();
        }
    }

    @Test
    void eventRatePerConnectionWithBurstAndRefill() {
        RoutePolicy r = route("/chat", null, null, null, 0,
                Map.of("send", rate(10, Duration.ofSeconds(1), 20, RouteConfig.Scope.CONNECTION)));
        SessionLimits a = limits.forSession(session(1, "1.1.1.1", "alice"));
        SessionLimits b = limits.forSession(session(2, "1.1.1.1", "alice"));
        for (int i = 0; i < 20; i++) {
            assertThat(a.tryMessage(r, "send")).as("burst %d", i).isZero();
        }
        assertThat(a.tryMessage(r, "send")).isEqualTo(100);
        assertThat(a.tryMessage(r, "other")).as("unlimited event").isZero();
        assertThat(b.tryMessage(r, "send")).as("per connection").isZero();
        clock.advance(Duration.ofMillis(250));
        assertThat(a.tryMessage(r, "send")).isZero();
        assertThat(a.tryMessage(r, "send")).isZero();
        assertThat(a.tryMessage(r, "send")).isEqualTo(50);
    }

    @Test
    void eventRateScopeUserIsShared() {
        RoutePolicy r = route("/chat", null, null, null, 0,
                Map.of("typing", rate(3, Duration.ofSeconds(3), 0, RouteConfig.Scope.USER)));
        SessionLimits a = limits.forSession(session(1, "1.1.1.1", "bob"));
        SessionLimits b = limits.forSession(session(2, "2.2.2.2", "bob"));
        SessionLimits c = limits.forSession(session(3, "2.2.2.2", "carol"));
        assertThat(a.tryMessage(r, "typing")).isZero();
        assertThat(b.tryMessage(r, "typing")).isZero();
        assertThat(a.tryMessage(r, "typing")).isZero();
        assertThat(b.tryMessage(r, "typing")).isEqualTo(1_000);
        assertThat(c.tryMessage(r, "typing")).isZero();
    }

    @Test
    void refusalByALaterBucketDoesNotSpendEarlierOnes() {
        RoutePolicy r = route("/chat", null, rate(2, Duration.ofSeconds(10)), rate(100, Duration.ofSeconds(10)), 0,
                Map.of("send", rate(100, Duration.ofSeconds(10))));
        Session s = session(1, "1.1.1.1", "alice");
        SessionLimits a = limits.forSession(s);
        SessionLimits sameUserOtherIp = limits.forSession(session(2, "9.9.9.9", "alice"));
        assertThat(a.tryMessage(r, "send")).isZero();
        assertThat(a.tryMessage(r, "send")).isZero();
        for (int i = 0; i < 50; i++) {
            assertThat(a.tryMessage(r, "send")).as("per-ip exhausted").isPositive();
        }
        // the 50 refused messages gave their per-user and per-event tokens back: 98 user tokens remain
        RoutePolicy userOnly = route("/chat", null, null, rate(100, Duration.ofSeconds(10)), 0, Map.of());
        for (int i = 0; i < 98; i++) {
            assertThat(sameUserOtherIp.tryMessage(userOnly, "other")).as("user token %d", i).isZero();
        }
        assertThat(sameUserOtherIp.tryMessage(userOnly, "other")).isPositive();
    }

    @Test
    void closeAfterCountsDrops() {
        RoutePolicy r = route("/chat", null, rate(1, Duration.ofSeconds(1)), null, 3, Map.of());
        SessionLimits a = limits.forSession(session(1, "1.1.1.1", null));
        assertThat(a.dropped(r)).isFalse();
        assertThat(a.dropped(r)).isFalse();
        assertThat(a.dropped(r)).isTrue();
        assertThat(a.droppedCount()).isEqualTo(3);
        RoutePolicy never = route("/chat", null, rate(1, Duration.ofSeconds(1)), null, 0, Map.of());
        SessionLimits b = limits.forSession(session(2, "1.1.1.1", null));
        for (int i = 0; i < 100; i++) {
            assertThat(b.dropped(never)).isFalse();
        }
    }

    @Test
    void reloadedEventRateAppliesLazilyToExistingSession() {
        RoutePolicy v1 = route("/chat", null, null, null, 0, Map.of("send", rate(4, Duration.ofSeconds(4))));
        SessionLimits a = limits.forSession(session(1, "1.1.1.1", null));
        for (int i = 0; i < 4; i++) {
            assertThat(a.tryMessage(v1, "send")).isZero();
        }
        assertThat(a.tryMessage(v1, "send")).isEqualTo(1_000);
        // a reload compiles a new RouteLimits: 4 per second now; the empty bucket stays empty (PROPORTIONALLY)
        RoutePolicy v2 = route("/chat", null, null, null, 0, Map.of("send", rate(4, Duration.ofSeconds(1))));
        assertThat(a.tryMessage(v2, "send")).isEqualTo(250);
        clock.advance(Duration.ofMillis(500));
        assertThat(a.tryMessage(v2, "send")).isZero();
        assertThat(a.tryMessage(v2, "send")).isZero();
        assertThat(a.tryMessage(v2, "send")).isEqualTo(250);
    }

    @Test
    void reloadedSharedLimitKeepsTheSpentFraction() {
        RoutePolicy v1 = route("/chat", null, rate(10, Duration.ofSeconds(10)), null, 0, Map.of());
        SessionLimits a = limits.forSession(session(1, "1.1.1.1", null));
        for (int i = 0; i < 5; i++) {
            assertThat(a.tryMessage(v1, "x")).isZero();
        }
        // half spent; after tightening to 4 per 10 s, 2 of 4 remain
        RoutePolicy v2 = route("/chat", null, rate(4, Duration.ofSeconds(10)), null, 0, Map.of());
        SessionLimits b = limits.forSession(session(2, "1.1.1.1", null));
        assertThat(b.tryMessage(v2, "x")).isZero();
        assertThat(a.tryMessage(v2, "x")).isZero();
        assertThat(a.tryMessage(v2, "x")).isEqualTo(2_500);
        // an unchanged reload (new instance, equal limits) keeps the bucket as is
        RoutePolicy v3 = route("/chat", null, rate(4, Duration.ofSeconds(10)), null, 0, Map.of());
        assertThat(b.tryMessage(v3, "x")).isEqualTo(2_500);
    }

    @Test
    void idleKeysExpireFromTheCache() {
        RoutePolicy r = route("/chat", rate(2, Duration.ofSeconds(10)), rate(10, Duration.ofSeconds(1)), null, 0, Map.of());
        for (int i = 0; i < 50; i++) {
            limits.tryConnect(r, "10.0.0." + i);
        }
        SessionLimits a = limits.forSession(session(1, "1.1.1.1", null));
        a.tryMessage(r, "x");
        assertThat(limits.trackedKeys()).isEqualTo(51);
        clock.advance(Duration.ofSeconds(5));
        assertThat(limits.trackedKeys()).as("message bucket idle past its refill time").isEqualTo(50);
        clock.advance(Duration.ofSeconds(7));
        assertThat(limits.trackedKeys()).isZero();
        assertThat(limits.tryConnect(r, "10.0.0.1")).isZero();
        assertThat(limits.trackedKeys()).isEqualTo(1);
    }

    @Test
    void routeWithoutLimitsPassesEverything() {
        RoutePolicy r = route("/chat", null, null, null, 0, Map.of());
        SessionLimits a = limits.forSession(session(1, "1.1.1.1", "u"));
        for (int i = 0; i < 1000; i++) {
            assertThat(a.tryMessage(r, "e")).isZero();
        }
        assertThat(limits.tryConnect(r, "1.1.1.1")).isZero();
        assertThat(limits.trackedKeys()).isZero();
    }

    @Test
    void badRatesAreRefusedAtCompile() {
        assertThatThrownBy(() -> route("/chat", rate(0, Duration.ofSeconds(1)), null, null, 0, Map.of()))
                .isInstanceOf(InvalidSettingException.class)
                .extracting(e -> ((InvalidSettingException) e).keyPath()).isEqualTo("rate_limits.per_ip.connections.limit");
        assertThatThrownBy(() -> route("/chat", null, null, null, 0, Map.of("x", rate(1, Duration.ZERO))))
                .isInstanceOf(InvalidSettingException.class)
                .extracting(e -> ((InvalidSettingException) e).keyPath()).isEqualTo("events.rules.x.rate.per");
    }
}
