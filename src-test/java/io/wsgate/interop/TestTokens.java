package io.wsgate.interop;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.UUID;

/**
 * HS256 tokens for interop runs: the route names the secret with {@code hmac_secret_env: }{@value #SECRET_ENV}
 * and the gateway process gets {@link #secret()} in that variable.
 */
public final class TestTokens {
    public static final String SECRET_ENV = "WSGATE_TEST_HMAC";
    public static final String ISSUER = "wsgate-interop";
    public static final String AUDIENCE = "chat";

    private final String secret;

    private TestTokens(String secret) {
        this.secret = secret;
    }

    /** A fresh random 64-character secret (HS256 needs at least 32 bytes). */
    public static TestTokens random() {
        SecureRandom rnd = new SecureRandom();
        String alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        StringBuilder sb = new StringBuilder(64);
        for (int i = 0; i < 64; i++) sb.append(alphabet.charAt(rnd.nextInt(alphabet.length())));
        return new TestTokens(sb.toString());
    }

    public String secret() {
        return secret;
    }

    /** Valid for one hour. */
    public String token(String sub, String... roles) {
        return sign(secret, sub, List.of(roles), Instant.now().plus(Duration.ofHours(1)));
    }

    public String expired(String sub, String... roles) {
        return sign(secret, sub, List.of(roles), Instant.now().minus(Duration.ofHours(1)));
    }

    /** Well formed, signed with another secret. */
    public String badSignature(String sub, String... roles) {
        return sign(random().secret, sub, List.of(roles), Instant.now().plus(Duration.ofHours(1)));
    }

    private static String sign(String secret, String sub, List<String> roles, Instant exp) {
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .subject(sub)
                .issuer(ISSUER)
                .audience(AUDIENCE)
                .claim("roles", roles)
                .issueTime(Date.from(Instant.now().minusSeconds(5)))
                .expirationTime(Date.from(exp))
                .jwtID(UUID.randomUUID().toString())
                .build();
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
        try {
            jwt.sign(new MACSigner(secret.getBytes(StandardCharsets.UTF_8)));
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot sign a test token: " + e.getMessage(), e);
        }
        return jwt.serialize();
    }
}
