package io.wsgate.reload;

import io.wsgate.config.ConfigProblem;
import io.wsgate.config.PolicyException;
import io.wsgate.config.RouteConfig;
import io.wsgate.metrics.GatewayMetrics;
import io.wsgate.policy.Policy;
import io.wsgate.policy.PolicyHolder;
import io.wsgate.policy.RoutePolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class ReloadManagerTest {
    @TempDir
    Path dir;

    static RoutePolicy route(String path) {
        RouteConfig cfg = new RouteConfig("x.yaml", new RouteConfig.Route(path, null, List.of(), false, 65536, 1 << 20,
                List.of(), false), null, null, null, null, null);
        return new RoutePolicy(cfg, null, null, null);
    }

    @Test
    void failedReloadKeepsThePolicyAndListsProblems() {
        Policy initial = new Policy(1, null, List.of(route("/a")));
        PolicyHolder holder = new PolicyHolder(initial);
        ReloadManager m = new ReloadManager(dir, (d, v) -> {
            throw new PolicyException(List.of(new ConfigProblem("a.yaml", 3, "route.path", "required"),
                    new ConfigProblem("b.yaml", 7, "events.rules", "unknown key")));
        }, holder, new GatewayMetrics());
        ReloadResult r = m.reload();
        assertThat(r.ok()).isFalse();
        assertThat(r.errors()).containsExactly("a.yaml:3: route.path: required", "b.yaml:7: events.rules: unknown key");
        assertThat(holder.get()).isSameAs(initial);
    }

    @Test
    void reloadsAreSerialized() throws Exception {
        PolicyHolder holder = new PolicyHolder(new Policy(1, null, List.of()));
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger maxInside = new AtomicInteger();
        ReloadManager m = new ReloadManager(dir, (d, v) -> {
            maxInside.accumulateAndGet(inside.incrementAndGet(), Math::max);
            java.util.concurrent.locks.LockSupport.parkNanos(20_000_000L);
            inside.decrementAndGet();
            return new Policy(v, null, List.of(route("/v" + v)));
        }, holder, null);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<ReloadResult>> results = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            results.add(pool.submit(() -> {
                go.await();
                return m.reload();
            }));
        }
        go.countDown();
        List<Long> versions = new ArrayList<>();
        for (Future<ReloadResult> f : results) {
            versions.add(f.get(10, TimeUnit.SECONDS).version());
        }
        pool.shutdown();
        assertThat(maxInside.get()).isEqualTo(1);
        assertThat(versions).containsExactlyInAnyOrder(2L, 3L, 4L, 5L);
        assertThat(holder.get().version()).isEqualTo(5);
    }

    @Test
    void fileChangesReloadOnceAfterTheBurst() throws Exception {
        PolicyHolder holder = new PolicyHolder(new Policy(1, null, List.of()));
        AtomicInteger loads = new AtomicInteger();
        Path schemas = Files.createDirectory(dir.resolve("schemas"));
        try (ReloadManager m = new ReloadManager(dir, (d, v) -> {
            loads.incrementAndGet();
            return new Policy(v, null, List.of());
        }, holder, null)) {
            m.startWatching();
            for (int i = 0; i < 5; i++) {
                Files.writeString(dir.resolve("chat.yaml"), "route: {path: /chat}  # " + i);
            }
            await().atMost(Duration.ofSeconds(15)).until(() -> loads.get() >= 1);
            Thread.sleep(ReloadManager.DEBOUNCE.toMillis() * 3);
            assertThat(loads.get()).as("a burst of writes reloads once").isEqualTo(1);
            assertThat(holder.get().version()).isEqualTo(2);
            Files.writeString(schemas.resolve("send.json"), "{}");
            await().atMost(Duration.ofSeconds(15)).until(() -> loads.get() == 2);
        }
    }

    /** A log file kept in the policy folder, written at every reload, used to reload the gateway in a loop. */
    @Test
    void filesNoPolicyReadsDoNotReload() throws Exception {
        PolicyHolder holder = new PolicyHolder(new Policy(1, null, List.of()));
        AtomicInteger loads = new AtomicInteger();
        try (ReloadManager m = new ReloadManager(dir, (d, v) -> {
            loads.incrementAndGet();
            try {
                Files.writeString(dir.resolve("gateway.log"), "reloaded " + v + "\n",
                        java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            return new Policy(v, null, List.of());
        }, holder, null)) {
            m.startWatching();
            Files.writeString(dir.resolve("chat.yaml"), "route: {path: /chat}");
            await().atMost(Duration.ofSeconds(15)).until(() -> loads.get() >= 1);
            Thread.sleep(ReloadManager.DEBOUNCE.toMillis() * 5);
            assertThat(loads.get()).as("the log written by the reload does not start another").isEqualTo(1);
        }
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource({
            "chat.yaml, true", "chat.yml, true", "send.json, true", "jwks.json, true", "gw.pem, true", "gw.key, true",
            "ca.crt, true", "CHAT.YAML, true", "gateway.log, false", "env, false", ".chat.yaml.swp, false",
            "chat.yaml~, false", "4913, false", ".#chat.yaml, false"})
    void policyFilesAreWhatTheLoaderReads(String name, boolean policy) {
        assertThat(ReloadManager.policyFile(name)).isEqualTo(policy);
    }
}
