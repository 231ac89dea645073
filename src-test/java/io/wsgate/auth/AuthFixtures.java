package io.wsgate.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.Ed25519Signer;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.OctetKeyPairGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.wsgate.config.GatewayConfig;
import io.wsgate.config.RouteConfig;
import io.wsgate.policy.HandshakeRequest;
import io.wsgate.policy.Policy;
import io.wsgate.policy.RoutePolicy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;

/** Keys, routes, policies, tokens and requests for the auth tests. Keys are generated once per JVM. */
public final class AuthFixtures {
    public static final String ISS = "wsgate-dev";
    public static final String AUD = "chat";
    public static final String HMAC_ENV = "TEST_HMAC_SECRET";
    public static final String HMAC_SECRET = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"; // 64 bytes
    public static final Function<String, String> ENV = name -> HMAC_ENV.equals(name) ? HMAC_SECRET : null;
    public static final List<String> DEFAULT_SOURCES = List.of("header", "query:access_token", "cookie:access_token", "subprotocol");

    public static final RSAKey RSA;
    public static final ECKey EC;
    public static final OctetKeyPair OKP;
    public static final RSAKey ATTACKER;

    static {
        try {
            RSA = new RSAKeyGenerator(2048).keyID("rsa-1").generate();
            EC = new ECKeyGenerator(Curve.P_256).keyID("ec-1").generate();
            OKP = new OctetKeyPairGenerator(Curve.Ed25519).keyID("ed-1").generate();
            ATTACKER = new RSAKeyGenerator(2048).keyID("rsa-1").generate();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    private AuthFixtures() {
    }

    /** A JWKS file with the public RSA, EC and OKP keys, in a fresh temp dir. */
    public static Path jwksFile() {
        try {
            Path dir = Files.createTempDirectory("wsgate-auth");
            Path f = dir.resolve("jwks.json");
            Files.writeString(f, new JWKSet(List.of(RSA.toPublicJWK(), EC.toPublicJWK(), OKP.toPublicJWK())).toString(true));
            return f;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static RouteConfig.Jwt jwt(List<String> algs, Path jwksFile) {
        return new RouteConfig.Jwt(algs, jwksFile, null, null, ISS, AUD, Duration.ofSeconds(30), "sub", "roles", 8192);
    }

    public static RouteConfig.Jwt hmacJwt(List<String> algs) {
        return new RouteConfig.Jwt(algs, null, null, HMAC_ENV, ISS, AUD, Duration.ofSeconds(30), "sub", "roles", 8192);
    }

    public static RouteConfig.Auth auth(RouteConfig.Jwt jwt) {
        return auth(jwt, DEFAULT_SOURCES, List.of(), 0, RouteConfig.OnExcess.CLOSE_OLDEST);
    }

    public static RouteConfig.Auth auth(RouteConfig.Jwt jwt, List<String> sources, List<String> connectRoles,
                                        int maxSessions, RouteConfig.OnExcess onExcess) {
        return new RouteConfig.Auth(true, jwt, sources, Duration.ofSeconds(5), connectRoles, true, "auth",
                maxSessions, onExcess);
    }

    public static RouteConfig route(String path, RouteConfig.Kind kind, RouteConfig.Auth auth, List<String> origins,
                                    boolean allowNoOrigin, List<String> subprotocols) {
        RouteConfig.Route r = new RouteConfig.Route(path,
                new RouteConfig.Upstream(List.of("ws://127.0.0.1:9000" + path), RouteConfig.Balance.ROUND_ROBIN,
                        Duration.ofSeconds(3), null),
                origins, allowNoOrigin, 65536, 1 << 20, subprotocols, false);
        RouteConfig.Forward fwd = new RouteConfig.Forward(
                new RouteConfig.Headers("X-User-Id", "X-User-Roles", "X-Forwarded-For"), null, true);
        return new RouteConfig(path.replace('/', '_') + ".yaml", r, new RouteConfig.Protocol(kind, "type", null, 10),
                auth, fwd, null, null);
    }

    public static RouteConfig route(String path, RouteConfig.Auth auth) {
        return route(path, RouteConfig.Kind.JSON, auth, List.of(), false, List.of());
    }

    public static RoutePolicy compiled(RouteConfig cfg) {
        return new RoutePolicy(cfg, RouteAuth.compile(cfg, ENV), null, null);
    }

    public static Policy policy(int maxTotal, int maxPerIp, RoutePolicy... routes) {
        GatewayConfig gw = new GatewayConfig(
                new GatewayConfig.Listen("127.0.0.1", 0, null, false, List.of()),
                new GatewayConfig.Admin("127.0.0.1", 0, null),
                new GatewayConfig.State(GatewayConfig.Store.MEMORY, null, GatewayConfig.OnFailure.FAIL_OPEN),
                new GatewayConfig.Connections(maxTotal, maxPerIp, Duration.ofSeconds(5), Duration.ofSeconds(120),
                        Duration.ofSeconds(30)),
                new GatewayConfig.Reload(false), new GatewayConfig.Audit("off"));
        return new Policy(1, gw, List.of(routes));
    }

    // ---- tokens

    public static JWTClaimsSet.Builder claims(String sub) {
        long now = System.currentTimeMillis();
        return new JWTClaimsSet.Builder().subject(sub).issuer(ISS).audience(AUD)
                .issueTime(new Date(now)).expirationTime(new Date(now + 3_600_000))
                .jwtID(UUID.randomUUID().toString()).claim("roles", List.of("user"));
    }

    public static String sign(JWK key, JWSAlgorithm alg, JWTClaimsSet claims) {
        return sign(key, new JWSHeader.Builder(alg).type(JOSEObjectType.JWT).keyID(key.getKeyID()).build(), claims);
    }

    public static String sign(JWK key, JWSHeader header, JWTClaimsSet claims) {
        try {
            JWSSigner signer = switch (key.getKeyType().getValue()) {
                case "RSA" -> new RSASSASigner(key.toRSAKey());
                case "EC" -> new ECDSASigner(key.toECKey());
                case "OKP" -> new Ed25519Signer(key.toOctetKeyPair());
                default -> new MACSigner(key.toOctetSequenceKey());
            };
            SignedJWT jwt = new SignedJWT(header, claims);
            jwt.sign(signer);
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String rs256(String sub) {
        return sign(RSA, JWSAlgorithm.RS256, claims(sub).build());
    }

    public static String hs256(JWTClaimsSet claims) {
        try {
            SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
            jwt.sign(new MACSigner(HMAC_SECRET.getBytes(StandardCharsets.UTF_8)));
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---- requests

    public static Req req(String path) {
        return new Req(path);
    }

    /** A small builder for {@link HandshakeRequest}s; header names lower-case. */
    public static final class Req {
        private final String path;
        private String query;
        private final Map<String, List<String>> headers = new HashMap<>();
        private String ip = "10.0.0.1";

        Req(String path) {
            this.path = path;
        }

        public Req query(String q) {
            this.query = q;
            return this;
        }

        public Req header(String name, String value) {
            headers.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
            return this;
        }

        public Req bearer(String token) {
            return header("authorization", "Bearer " + token);
        }

        public Req ip(String ip) {
            this.ip = ip;
            return this;
        }

        public HandshakeRequest build() {
            return new HandshakeRequest(path, query, Map.copyOf(headers), ip, ip, false);
        }
    }
}
