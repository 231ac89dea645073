package io.wsgate.bench;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWK;
import io.wsgate.auth.AuthFixtures;
import io.wsgate.auth.RouteAuth;
import io.wsgate.auth.TokenException;

import java.util.ArrayList;
import java.util.List;

/**
 * Token verifications per second, cold (each token seen once: full signature check) vs cached (the same
 * token again: digest + cache lookup), for RS256, ES256 and EdDSA. Not part of the test suite (no @Test): run
 * {@code java -cp <test classpath> io.wsgate.bench.AuthVerifyBench [tokensPerAlg]}. Bounded in count and time.
 */
public final class AuthVerifyBench {
    private static final long MAX_NANOS_PER_RUN = 10_000_000_000L;

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 3000;
        RouteAuth auth = RouteAuth.compile(AuthFixtures.route("/bench",
                AuthFixtures.auth(AuthFixtures.jwt(List.of("RS256", "ES256", "EdDSA"), AuthFixtures.jwksFile()))));
        System.out.printf("JDK %s, %d cores, %d tokens per algorithm%n", System.getProperty("java.version"),
                Runtime.getRuntime().availableProcessors(), n);
        run(auth, "RS256", AuthFixtures.RSA, JWSAlgorithm.RS256, n);
        run(auth, "ES256", AuthFixtures.EC, JWSAlgorithm.ES256, n);
        run(auth, "EdDSA", AuthFixtures.OKP, JWSAlgorithm.EdDSA, n);
    }

    private static void run(RouteAuth auth, String name, JWK key, JWSAlgorithm alg, int n) throws TokenException {
        List<String> tokens = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            tokens.add(AuthFixtures.sign(key, alg, AuthFixtures.claims("user-" + i).build()));
        }
        // warm-up on a separate set so the JIT has compiled the path before measuring
        for (int i = 0; i < Math.min(500, n); i++) {
            auth.verify(AuthFixtures.sign(key, alg, AuthFixtures.claims("warm-" + i).build()));
        }
        long t0 = System.nanoTime();
        int cold = 0;
        for (String t : tokens) {
            auth.verify(t);
            cold++;
            if (System.nanoTime() - t0 > MAX_NANOS_PER_RUN) {
                break;
            }
        }
        long coldNs = System.nanoTime() - t0;
        int cachedOps = n * 20;
        long t1 = System.nanoTime();
        int cached = 0;
        for (int i = 0; i < cachedOps; i++) {
            auth.verify(tokens.get(i % cold));
            cached++;
            if (System.nanoTime() - t1 > MAX_NANOS_PER_RUN) {
                break;
            }
        }
        long cachedNs = System.nanoTime() - t1;
        System.out.printf("%-6s cold: %9.0f verifications/s (%6.1f us each)   cached: %10.0f/s (%5.2f us each)%n",
                name, cold * 1e9 / coldNs, coldNs / 1e3 / cold, cached * 1e9 / cachedNs, cachedNs / 1e3 / cached);
    }
}
