package io.wsgate.bench;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import io.wsgate.auth.AuthFixtures;
import io.wsgate.demo.DemoUpstream;
import io.wsgate.server.Gateway;
import io.wsgate.testing.PolicyDir;
import io.wsgate.testing.WsTestClient;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/**
 * WebSocket handshakes per second through the real gateway ({@link Gateway#start}) in front of the demo echo
 * upstream: each one is a full upgrade on a new TCP connection (token verification, upstream TCP connect and
 * upgrade, 101 to the client), then the client closes. RS256 and ES256, cold (every token unique: a full
 * signature check) and cached (the same token every time). Client, gateway and upstream share this JVM and
 * 127.0.0.1. Not part of the test suite (no @Test); bounded in count and time:
 * {@code java -cp <test classpath> io.wsgate.bench.HandshakeBench [handshakesPerRun] [concurrency] [rounds]}.
 */
public final class HandshakeBench {
    private static final long MAX_NANOS_PER_RUN = 20_000_000_000L;

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
        int concurrency = args.length > 1 ? Integer.parseInt(args[1]) : 8;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 2;
        Path dir = Files.createTempDirectory("wsgate-hsbench");
        try (DemoUpstream up = new DemoUpstream("127.0.0.1", 0).start()) {
            PolicyDir.in(dir, "connections: { max_total: 100000, max_per_ip: 100000 }\n")
                    .write("keys/jwks.json", new JWKSet(List.of(AuthFixtures.RSA.toPublicJWK(),
                            AuthFixtures.EC.toPublicJWK())).toString(true))
                    .write("echo.yaml", """
                            route:
                              path: /echo
                              upstream: { targets: ["ws://127.0.0.1:%d/echo"] }
                            protocol: { kind: raw }
                            auth:
                              jwt: { algorithms: [RS256, ES256], jwks_file: keys/jwks.json, issuer: %s, audience: %s }
                            """.formatted(up.port(), AuthFixtures.ISS, AuthFixtures.AUD));
            try (Gateway gw = Gateway.start(dir, name -> null)) {
                String url = "ws://127.0.0.1:" + gw.port() + "/echo";
                System.out.printf("JDK %s, %d cores, %d handshakes per run, %d concurrent clients, %d rounds%n",
                        System.getProperty("java.version"), Runtime.getRuntime().availableProcessors(), n, concurrency,
                        rounds);
                // warm-up: JIT, connection paths, both algorithms
                List<String> warm = tokens(AuthFixtures.EC, JWSAlgorithm.ES256, "warm-es", 1000);
                warm.addAll(tokens(AuthFixtures.RSA, JWSAlgorithm.RS256, "warm-rs", 1000));
                run(url, "warm-up", warm.size(), concurrency, warm::get);
                for (int round = 1; round <= rounds; round++) {
                    // alternate the order so neither algorithm always runs right after the JIT warm-up
                    List<String> algs = round % 2 == 1 ? List.of("RS256", "ES256") : List.of("ES256", "RS256");
                    for (String alg : algs) {
                        JWK key = alg.equals("RS256") ? AuthFixtures.RSA : AuthFixtures.EC;
                        JWSAlgorithm a = JWSAlgorithm.parse(alg);
                        List<String> unique = tokens(key, a, "cold-" + round + "-" + alg, n);
                        report("round " + round + " " + alg + " cold  ", run(url, alg + " cold", n, concurrency, unique::get));
                        String one = AuthFixtures.sign(key, a, AuthFixtures.claims("cached-" + round + "-" + alg).build());
                        report("round " + round + " " + alg + " cached", run(url, alg + " cached", n, concurrency, i -> one));
                    }
                }
            }
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        System.exit(0);
    }

    private static List<String> tokens(JWK key, JWSAlgorithm alg, String prefix, int n) {
        List<String> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(AuthFixtures.sign(key, alg, AuthFixtures.claims(prefix + "-" + i).build()));
        }
        return out;
    }

    record Result(int done, int failed, long nanos, long[] latenciesNanos) {}

    private static Result run(String url, String name, int n, int concurrency, IntFunction<String> token)
            throws Exception {
        AtomicInteger next = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        long[] lat = new long[n];
        ExecutorService pool = Executors.newFixedThreadPool(concurrency);
        long t0 = System.nanoTime();
        long deadline = t0 + MAX_NANOS_PER_RUN;
        List<Future<?>> workers = new ArrayList<>();
        for (int w = 0; w < concurrency; w++) {
            workers.add(pool.submit(() -> {
                int i;
                while ((i = next.getAndIncrement()) < n && System.nanoTime() < deadline) {
                    long s = System.nanoTime();
                    try (WsTestClient c = WsTestClient.to(url).header("Authorization", "Bearer " + token.apply(i))
                            .connect()) {
                        lat[i] = System.nanoTime() - s;
                    } catch (Exception e) {
                        lat[i] = -1;
                        if (failed.incrementAndGet() == 1) {
                            System.err.println(name + ": " + e);
                        }
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : workers) {
            f.get();
        }
        long nanos = System.nanoTime() - t0;
        pool.shutdown();
        pool.awaitTermination(5, TimeUnit.SECONDS);
        long[] ok = Arrays.stream(lat).filter(v -> v > 0).sorted().toArray();
        return new Result(ok.length, failed.get(), nanos, ok);
    }

    private static void report(String label, Result r) {
        long[] l = r.latenciesNanos();
        double p50 = l.length == 0 ? 0 : l[l.length / 2] / 1e6;
        double p99 = l.length == 0 ? 0 : l[Math.min(l.length - 1, (int) (l.length * 0.99))] / 1e6;
        System.out.printf("%s: %7.0f handshakes/s   (%d ok, %d failed, %.2f s)   latency p50 %.2f ms  p99 %.2f ms%n",
                label, r.done() * 1e9 / r.nanos(), r.done(), r.failed(), r.nanos() / 1e9, p50, p99);
    }
}
