package io.wsgate.e2e;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jwt.JWTClaimsSet;
import io.wsgate.auth.AuthFixtures;
import io.wsgate.demo.DemoUpstream;
import io.wsgate.server.Gateway;
import io.wsgate.testing.PolicyDir;
import io.wsgate.testing.WsTestClient;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Date;
import java.util.List;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One real gateway (started through {@link Gateway#start}) in front of a {@link DemoUpstream}, on 127.0.0.1
 * ephemeral ports, with a JWKS holding the RS256/ES256/EdDSA keys of {@link AuthFixtures} and the HMAC secret
 * in the environment function. Route YAML may use {@code ${UP}} for the upstream's {@code ws://host:port}.
 */
final class E2e implements AutoCloseable {
    static final String ADMIN_TOKEN = "e2e-admin-token-not-a-secret-0123456789";
    static final Function<String, String> ENV = name -> switch (name) {
        case "WSGATE_ADMIN_TOKEN" -> ADMIN_TOKEN;
        case AuthFixtures.HMAC_ENV -> AuthFixtures.HMAC_SECRET;
        default -> null;
    };
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();

    final DemoUpstream upstream;
    final Gateway gateway;

    private E2e(DemoUpstream upstream, Gateway gateway) {
        this.upstream = upstream;
        this.gateway = gateway;
    }

    /** @param routes alternating file name and YAML text */
    static E2e start(Path dir, String gatewayExtra, List<String> upstreamSubprotocols, String... routes)
            throws Exception {
        DemoUpstream up = new DemoUpstream("127.0.0.1", 0, upstreamSubprotocols, null).start();
        try {
            writePolicies(dir, gatewayExtra, "ws://127.0.0.1:" + up.port(), routes);
            E2e e = new E2e(up, Gateway.start(dir, ENV));
            // warm the HTTP client so measured revocation delays are the gateway's, not class loading
            e.admin("GET", "/healthz", null);
            return e;
        } catch (Exception e) {
            up.close();
            throw e;
        }
    }

    static E2e start(Path dir, String... routes) throws Exception {
        return start(dir, "", List.of(), routes);
    }

    static void writePolicies(Path dir, String gatewayExtra, String upstreamBase, String... routes) {
        PolicyDir p = PolicyDir.in(dir, gatewayExtra);
        p.write("keys/jwks.json", new JWKSet(List.of(AuthFixtures.RSA.toPublicJWK(), AuthFixtures.EC.toPublicJWK(),
                AuthFixtures.OKP.toPublicJWK())).toString(true));
        for (int i = 0; i < routes.length; i += 2) {
            p.write(routes[i], routes[i + 1].replace("${UP}", upstreamBase));
        }
    }

    /**
     * A json route at {@code path} in front of the upstream's echo endpoint, JWT from the shared JWKS with
     * {@code clock_skew: 1s}; {@code authExtra} lines go inside {@code auth:} (two-space indented keys).
     */
    static String jsonRoute(String path, String algorithms, String authExtra) {
        return """
                route:
                  path: %s
                  upstream: { targets: ["${UP}/echo"], connect_timeout: 2s }
                protocol: { kind: json, event: type }
                auth:
                  jwt:
                    algorithms: [%s]
                    jwks_file: keys/jwks.json
                    issuer: %s
                    audience: %s
                    clock_skew: 1s
                %s
                forward:
                  headers: { user: X-User-Id, roles: X-User-Roles }
                  strip_token: true
                """.formatted(path, algorithms, AuthFixtures.ISS, AuthFixtures.AUD, authExtra);
    }

    String ws(String pathAndQuery) {
        return "ws://127.0.0.1:" + gateway.port() + pathAndQuery;
    }

    WsTestClient connect(String pathAndQuery, String token) throws Exception {
        return WsTestClient.to(ws(pathAndQuery)).header("Authorization", "Bearer " + token).connect();
    }

    /** The handshake is refused with {@code status}; returns the refusal. */
    WsTestClient.Refused refused(WsTestClient.Builder b, int status) {
        Throwable t = org.assertj.core.api.Assertions.catchThrowable(b::connect);
        assertThat(t).isInstanceOf(WsTestClient.Refused.class);
        WsTestClient.Refused r = (WsTestClient.Refused) t;
        assertThat(r.status).as(r.body).isEqualTo(status);
        return r;
    }

    HttpResponse<String> admin(String method, String path, String body) throws Exception {
        HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.adminPort() + path))
                .timeout(Duration.ofSeconds(5))
                .header("Authorization", "Bearer " + ADMIN_TOKEN)
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build();
        return HTTP.send(req, HttpResponse.BodyHandlers.ofString());
    }

    /** POST /admin/revoke; asserts 200 and returns K of {@code {"closed":K}}. */
    int revoke(String body) throws Exception {
        HttpResponse<String> res = admin("POST", "/admin/revoke", body);
        assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
        assertThat(res.body()).matches("\\{\"closed\":\\d+}");
        return Integer.parseInt(res.body().replaceAll("\\D", ""));
    }

    /** The echo upstream answers: the socket is open end to end. */
    static void assertEchoes(WsTestClient c, String text) throws InterruptedException {
        c.sendText(text);
        WsTestClient.Frame f = c.next(Duration.ofSeconds(5));
        assertThat(f.type()).isEqualTo(WsTestClient.Type.TEXT);
        assertThat(f.text()).isEqualTo(text);
    }

    // ---- tokens

    static String token(String alg, String sub) {
        return token(alg, AuthFixtures.claims(sub).build());
    }

    static String token(String alg, JWTClaimsSet claims) {
        return switch (alg) {
            case "RS256" -> AuthFixtures.sign(AuthFixtures.RSA, JWSAlgorithm.RS256, claims);
            case "ES256" -> AuthFixtures.sign(AuthFixtures.EC, JWSAlgorithm.ES256, claims);
            case "EdDSA" -> AuthFixtures.sign(AuthFixtures.OKP, JWSAlgorithm.EdDSA, claims);
            case "HS256" -> AuthFixtures.hs256(claims);
            default -> throw new IllegalArgumentException(alg);
        };
    }

    /** An RS256 token expiring at {@code expEpochSeconds}. */
    static String expiringAt(String sub, long expEpochSeconds) {
        return token("RS256", AuthFixtures.claims(sub).expirationTime(new Date(expEpochSeconds * 1000)).build());
    }

    @Override
    public void close() {
        gateway.close();
        upstream.close();
    }
}
