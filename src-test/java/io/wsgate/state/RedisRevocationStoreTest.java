package io.wsgate.state;

import io.wsgate.config.GatewayConfig;
import io.wsgate.policy.Identity;
import io.wsgate.policy.Session;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import io.wsgate.testing.RedisServer;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Two gateway instances sharing revocations through a real redis-server on a random 127.0.0.1 port. */
class RedisRevocationStoreTest {
    static RedisServer redis;
    static int port;

    static int freePort() throws Exception {
        return RedisServer.freePort();
    }

    @BeforeAll
    static void start() throws Exception {
        redis = RedisServer.start();
        port = redis.port();
    }

    @AfterAll
    static void stop() throws Exception {
        if (redis != null) {
            redis.close();
        }
    }

    static Identity id(String sub, String jti, long iat) {
        return new Identity(sub, List.of("user"), jti, iat, iat + 3600, "digest-" + jti);
    }

    static Session open(ConnectionRegistry reg, long id, Identity identity, List<String> closes) {
        Session s = new Session(id, "10.0.0.1", "/chat", id);
        s.identity(identity);
        s.closer((code, reason) -> closes.add(identity.subject() + ":" + code));
        reg.add(s);
        return s;
    }

    @Test
    void revocationsAreSharedBetweenInstancesAndLoadedAtStart() throws Exception {
        long now = System.currentTimeMillis() / 1000;
        String url = "redis://127.0.0.1:" + port;
        ConnectionRegistry regA = new ConnectionRegistry();
        ConnectionRegistry regB = new ConnectionRegistry();
        List<String> closesB = new CopyOnWriteArrayList<>();
        Identity alice = id("alice", "j-a-" + now, now - 5);
        Identity bob = id("bob", "j-b-" + now, now - 5);
        open(regB, 1, alice, closesB);
        open(regB, 2, bob, closesB);
        try (RedisRevocationStore a = new RedisRevocationStore(regA, url, GatewayConfig.OnFailure.FAIL_OPEN);
             RedisRevocationStore b = new RedisRevocationStore(regB, url, GatewayConfig.OnFailure.FAIL_OPEN)) {
            assertThat(a.healthy()).isTrue();
            assertThat(a.revoke(new Revocation(alice.jti(), null, null, now, now + 600))).isZero();
            assertThat(a.isRevoked(alice)).isTrue();
            await().atMost(Duration.ofSeconds(5)).until(() -> b.isRevoked(alice));
            await().atMost(Duration.ofSeconds(5)).until(() -> closesB.contains("alice:4401"));
            assertThat(b.isRevoked(bob)).isFalse();
            assertThat(closesB).doesNotContain("bob:4401");

            a.revoke(new Revocation(null, "bob", null, now, now + 600));
            await().atMost(Duration.ofSeconds(5)).until(() -> b.isRevoked(bob));
            Identity bobLater = id("bob", "j-b2-" + now, now + 1);
            assertThat(b.isRevoked(bobLater)).isFalse();

            // a third instance started now loads what exists
            try (RedisRevocationStore c = new RedisRevocationStore(new ConnectionRegistry(), url,
                    GatewayConfig.OnFailure.FAIL_OPEN)) {
                assertThat(c.isRevoked(alice)).isTrue();
                assertThat(c.isRevoked(bob)).isTrue();
                assertThat(c.isRevoked(bobLater)).isFalse();
            }

            b.lift(new Revocation(alice.jti(), null, null, 0, 0));
            await().atMost(Duration.ofSeconds(5)).until(() -> !a.isRevoked(alice));
            assertThat(b.isRevoked(alice)).isFalse();
        }
    }

    @Test
    void failOpenKeepsWorkingLocallyWhenRedisIsDownAndFailClosedReportsUnhealthy() throws Exception {
        int deadPort = freePort();
        long now = System.currentTimeMillis() / 1000;
        ConnectionRegistry reg = new ConnectionRegistry();
        List<String> closes = new CopyOnWriteArrayList<>();
        Identity carol = id("carol", "j-c-" + now, now - 5);
        open(reg, 1, carol, closes);
        long t0 = System.nanoTime();
        RedisServer late = null;
        try {
            try (RedisRevocationStore open = new RedisRevocationStore(reg, "redis://127.0.0.1:" + deadPort,
                    GatewayConfig.OnFailure.FAIL_OPEN);
                 RedisRevocationStore closed = new RedisRevocationStore(new ConnectionRegistry(),
                         "redis://127.0.0.1:" + deadPort, GatewayConfig.OnFailure.FAIL_CLOSED)) {
                assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));
                assertThat(open.healthy()).isTrue();
                assertThat(closed.healthy()).isFalse();
                assertThat(open.revoke(new Revocation(carol.jti(), null, null, now, now + 600))).isEqualTo(1);
                assertThat(open.isRevoked(carol)).isTrue();
                assertThat(closes).containsExactly("carol:4401");

                // Redis comes up on that port: both connect in the background; fail_closed turns healthy
                late = RedisServer.startOn(deadPort);
                await().atMost(Duration.ofSeconds(15)).until(closed::healthy);
                assertThat(open.isRevoked(carol)).as("local revocations survive the reconnect").isTrue();
                // the revocation made during the outage reaches Redis: an instance started now sees it
                String url = "redis://127.0.0.1:" + deadPort;
                await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
                    try (RedisRevocationStore fresh = new RedisRevocationStore(new ConnectionRegistry(), url,
                            GatewayConfig.OnFailure.FAIL_OPEN)) {
                        assertThat(fresh.isRevoked(carol)).isTrue();
                    }
                });
            }
        } finally {
            if (late != null) {
                late.close();
            }
        }
    }

    @Test
    void tokenRevocationsAreKeyedOnTheHeaderAndPayloadDigestAndOldWholeTokenKeysAreIgnored() throws Exception {
        long now = System.currentTimeMillis() / 1000;
        String url = "redis://127.0.0.1:" + port;
        // the one digest function, as AdminApi and RouteAuth use it
        java.util.Base64.Encoder b64 = java.util.Base64.getUrlEncoder().withoutPadding();
        String token = "eyJhbGciOiJFUzI1NiJ9."
                + b64.encodeToString(("{\"sub\":\"tok-redis\",\"iat\":" + now + "}").getBytes(java.nio.charset.StandardCharsets.UTF_8))
                + ".AAAA";
        String digest = io.wsgate.auth.CompactJws.revocationDigest(token);
        Identity holder = new Identity("tok-redis", List.of(), null, now - 5, now + 600, digest);
        Identity legacyHolder = new Identity("tok-legacy", List.of(), null, now - 5, now + 600, "legacy-" + now);
        ConnectionRegistry regB = new ConnectionRegistry();
        List<String> closesB = new CopyOnWriteArrayList<>();
        open(regB, 1, holder, closesB);
        io.lettuce.core.RedisClient raw = io.lettuce.core.RedisClient.create(url);
        try (var rawConn = raw.connect();
             RedisRevocationStore a = new RedisRevocationStore(new ConnectionRegistry(), url,
                     GatewayConfig.OnFailure.FAIL_OPEN);
             RedisRevocationStore b = new RedisRevocationStore(regB, url, GatewayConfig.OnFailure.FAIL_OPEN)) {
            a.revoke(new Revocation(null, null, digest, now, now + 600));
            await().atMost(Duration.ofSeconds(5)).until(() -> closesB.contains("tok-redis:4401"));
            assertThat(b.isRevoked(holder)).isTrue();
            await().atMost(Duration.ofSeconds(5)).until(() ->
                    rawConn.sync().exists(RedisRevocationStore.KEY_PREFIX + "tokhp:" + digest) == 1);
            // a key an older version wrote (digest of the whole token, signature included) matches nothing
            rawConn.sync().set(RedisRevocationStore.KEY_PREFIX + "tok:" + legacyHolder.tokenDigest(),
                    (now - 1) + ":" + (now + 600));
            try (RedisRevocationStore c = new RedisRevocationStore(new ConnectionRegistry(), url,
                    GatewayConfig.OnFailure.FAIL_OPEN)) {
                assertThat(c.isRevoked(holder)).isTrue();
                assertThat(c.isRevoked(legacyHolder)).isFalse();
            }
        } finally {
            raw.shutdown();
        }
    }
}
