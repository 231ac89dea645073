package io.wsgate.limits;

import io.github.bucket4j.TimeMeter;
import io.wsgate.config.GatewayConfig;
import io.wsgate.policy.RoutePolicy;
import io.wsgate.policy.Session;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import io.wsgate.testing.RedisServer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.wsgate.limits.TestRoutes.rate;
import static io.wsgate.limits.TestRoutes.route;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Two gateway processes (two Limits) sharing buckets through a real redis-server on 127.0.0.1. */
class RedisLimitsTest {
    private RedisServer redis;
    private int port;
    private final List<Limits> open = new ArrayList<>();

    @BeforeEach
    void startRedis() throws Exception {
        redis = RedisServer.start();
        port = redis.port();
    }

    @AfterEach
    void stop() throws Exception {
        for (Limits l : open) {
            l.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    private Limits limits(GatewayConfig.OnFailure onFailure) {
        Limits l = new Limits(TimeMeter.SYSTEM_NANOTIME, new GatewayConfig.State(GatewayConfig.Store.REDIS,
                "redis://127.0.0.1:" + port, onFailure), 10_000);
        open.add(l);
        return l;
    }

    @Test
    void twoInstancesShareThePerIpBudget() {
        RoutePolicy r = route("/chat", null, rate(5, Duration.ofMinutes(1)), null, 0, Map.of());
        Limits a = limits(GatewayConfig.OnFailure.FAIL_OPEN);
        Limits b = limits(GatewayConfig.OnFailure.FAIL_OPEN);
        assertThat(a.storeDown()).isFalse();
        SessionLimits sa = a.forSession(new Session(1, "7.7.7.7", "/chat", 0));
        SessionLimits sb = b.forSession(new Session(2, "7.7.7.7", "/chat", 0));
        for (int i = 0; i < 5; i++) {
            assertThat(sa.tryMessage(r, "x")).isZero();
        }
        assertThat(sa.tryMessage(r, "x")).isPositive();
        // b's local bucket is full, but the shared budget is spent: after at most one flush b refuses too
        int[] passedOnB = {0};
        long[] retry = {0};
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).until(() -> {
            long w = sb.tryMessage(r, "x");
            if (w == 0) {
                passedOnB[0]++;
            }
            retry[0] = w;
            return w > 0;
        });
        assertThat(passedOnB[0]).as("b passed only until its first flush came back").isLessThanOrEqualTo(2);
        assertThat(retry[0]).as("deny window repays the overdraft").isGreaterThan(10_000);
        // another IP is unaffected on b
        SessionLimits other = b.forSession(new Session(3, "8.8.8.8", "/chat", 0));
        assertThat(other.tryMessage(r, "x")).isZero();
    }

    @Test
    void handshakeRateSharedAndStoreDownFailOpenVersusClosed() throws Exception {
        RoutePolicy r = route("/chat", rate(3, Duration.ofMinutes(1)), null, null, 0, Map.of());
        Limits a = limits(GatewayConfig.OnFailure.FAIL_OPEN);
        Limits closed = limits(GatewayConfig.OnFailure.FAIL_CLOSED);
        for (int i = 0; i < 3; i++) {
            assertThat(a.tryConnect(r, "5.5.5.5")).isZero();
        }
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                .until(() -> closed.tryConnect(r, "5.5.5.5") > 0);
        assertThat(closed.storeDown()).isFalse();

        redis.kill();
        await().atMost(Duration.ofSeconds(10)).until(() -> a.storeDown() && closed.storeDown());
        assertThat(a.tryConnect(r, "6.6.6.6")).as("fail_open: local buckets decide").isZero();
        assertThat(closed.tryConnect(r, "6.6.6.6")).as("fail_closed refuses").isEqualTo(Limits.STORE_DOWN_RETRY_MS);

        // the store comes back on the same port: both recover
        redis.restart();
        await().atMost(Duration.ofSeconds(30)).until(() -> !a.storeDown() && !closed.storeDown());
        assertThat(closed.tryConnect(r, "6.6.6.6")).isZero();
    }
}
