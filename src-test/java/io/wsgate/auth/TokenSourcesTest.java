package io.wsgate.auth;

import com.nimbusds.jose.JWSAlgorithm;
import io.wsgate.config.RouteConfig;
import io.wsgate.policy.HandshakeDecision;
import io.wsgate.policy.HandshakeDecision.PendingAuth;
import io.wsgate.policy.Policy;
import io.wsgate.state.ConnectionRegistry;
import io.wsgate.state.MemoryRevocationStore;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static io.wsgate.auth.AuthFixtures.*;
import static org.assertj.core.api.Assertions.assertThat;

/** Valid tokens of every algorithm from every source; precedence; what goes upstream. */
class TokenSourcesTest {
    static Policy policy;
    static HandshakeGuard guard;

    @BeforeAll
    static void setUp() {
        policy = policy(0, 0,
                compiled(route("/chat", auth(jwt(List.of("RS256", "ES256", "EdDSA"), jwksFile())))),
                compiled(route("/hs", auth(hmacJwt(List.of("HS256"))))),
                compiled(route("/fm", RouteConfig.Kind.JSON,
                        auth(jwt(List.of("RS256"), jwksFile()), List.of("header", "first_message:token"), List.of(), 0,
                                RouteConfig.OnExcess.CLOSE_OLDEST), List.of(), false, List.of("chat.v1", "chat.v2"))),
                compiled(route("/socket.io/", RouteConfig.Kind.SOCKETIO,
                        auth(jwt(List.of("RS256"), jwksFile()), List.of("header", "query:access_token", "socketio_auth:token"),
                                List.of(), 0, RouteConfig.OnExcess.CLOSE_OLDEST), List.of(), false, List.of())));
        ConnectionRegistry reg = new ConnectionRegistry();
        guard = new HandshakeGuard(reg, new MemoryRevocationStore(reg), (r, ip) -> 0);
    }

    static Stream<Arguments> tokensAndSources() {
        List<Arguments> out = new ArrayList<>();
        Map<String, String> tokens = Map.of(
                "RS256", sign(RSA, JWSAlgorithm.RS256, claims("alice").build()),
                "ES256", sign(EC, JWSAlgorithm.ES256, claims("alice").build()),
                "EdDSA", sign(OKP, JWSAlgorithm.EdDSA, claims("alice").build()),
                "HS256", hs256(claims("alice").build()));
        for (var e : tokens.entrySet()) {
            for (String source : List.of("header", "query", "cookie", "subprotocol")) {
                out.add(Arguments.of(e.getKey(), source, e.getValue()));
            }
        }
        return out.stream();
    }

    static AuthFixtures.Req withToken(String path, String source, String token) {
        AuthFixtures.Req r = req(path);
        return switch (source) {
            case "header" -> r.bearer(token);
            case "query" -> r.query("room=1&access_token=" + URLEncoder.encode(token, StandardCharsets.UTF_8));
            case "cookie" -> r.header("cookie", "theme=dark; access_token=" + token + "; lang=en");
            default -> r.header("sec-websocket-protocol", "chat.v1, bearer, " + token);
        };
    }

    @ParameterizedTest(name = "{0} from {1}")
    @MethodSource("tokensAndSources")
    void validTokenAcceptedFromEverySource(String alg, String source, String token) {
        String path = alg.equals("HS256") ? "/hs" : "/chat";
        HandshakeDecision d = guard.check(policy, withToken(path, source, token).build());
        assertThat(d.status()).as(alg + " " + source + ": " + d.reason()).isEqualTo(101);
        assertThat(d.identity().subject()).isEqualTo("alice");
        assertThat(d.identity().roles()).containsExactly("user");
        assertThat(d.identity().tokenDigest()).isEqualTo(RouteAuth.digest(token)).hasSize(64);
        assertThat(d.identity().expiresAt()).isGreaterThan(System.currentTimeMillis() / 1000);
        assertThat(d.upstreamHeaders()).contains(Map.entry("X-User-Id", "alice"), Map.entry("X-User-Roles", "user"),
                Map.entry("X-Forwarded-For", "10.0.0.1"));
        // the token never goes upstream nor back to the client
        assertThat(d.upstreamPathAndQuery()).doesNotContain(token).doesNotContain("access_token");
        assertThat(d.upstreamHeaders().toString()).doesNotContain(token);
        assertThat(d.upstreamSubprotocols()).doesNotContain(token, "bearer");
        assertThat(d.clientSubprotocol()).isNotEqualTo(token);
        switch (source) {
            case "query" -> assertThat(d.upstreamPathAndQuery()).isEqualTo("?room=1");
            case "cookie" -> assertThat(d.upstreamHeaders()).contains(Map.entry("Cookie", "theme=dark; lang=en"));
            case "subprotocol" -> {
                assertThat(d.upstreamSubprotocols()).containsExactly("chat.v1");
                assertThat(d.clientSubprotocol()).isEqualTo("bearer");
            }
            default -> assertThat(d.upstreamPathAndQuery()).isEmpty();
        }
    }

    @Test
    void firstPresentSourceDecidesAndABadOneIsNeverSkipped() {
        String good = rs256("alice");
        // header (first) bad, query good: refused
        HandshakeDecision d = guard.check(policy, req("/chat").bearer("bad.token.here").query("access_token=" + good).build());
        assertThat(d.status()).isEqualTo(401);
        // query bad, cookie good: refused
        d = guard.check(policy, req("/chat").query("access_token=garbage").header("cookie", "access_token=" + good).build());
        assertThat(d.status()).isEqualTo(401);
        // empty but present Bearer: refused, not skipped for the valid cookie
        d = guard.check(policy, req("/chat").header("authorization", "Bearer ").header("cookie", "access_token=" + good).build());
        assertThat(d.status()).isEqualTo(401);
        assertThat(d.responseHeaders()).containsEntry("WWW-Authenticate", "Bearer error=\"invalid_token\"");
        // header good, later ones bad: accepted on the header
        d = guard.check(policy, req("/chat").bearer(good).query("access_token=garbage")
                .header("cookie", "access_token=garbage").build());
        assertThat(d.status()).isEqualTo(101);
        assertThat(d.upstreamPathAndQuery()).isEmpty();
        // a non-Bearer Authorization is not a token source: the next source decides
        d = guard.check(policy, req("/chat").header("authorization", "Basic dXNlcjpwdw==").query("access_token=" + good).build());
        assertThat(d.status()).isEqualTo(101);
    }

    @Test
    void missingTokenIs401WithPlainBearerChallenge() {
        HandshakeDecision d = guard.check(policy, req("/chat").header("sec-websocket-protocol", "chat.v1").build());
        assertThat(d.status()).isEqualTo(401);
        assertThat(d.responseHeaders()).containsEntry("WWW-Authenticate", "Bearer");
    }

    @Test
    void firstMessageRouteIsPendingAndPicksTheRoutesSubprotocol() {
        HandshakeDecision d = guard.check(policy, req("/fm").header("sec-websocket-protocol", "x.other, chat.v2, chat.v1").build());
        assertThat(d.status()).isEqualTo(101);
        assertThat(d.pendingAuth()).isEqualTo(PendingAuth.FIRST_MESSAGE);
        assertThat(d.identity()).isNull();
        assertThat(d.clientSubprotocol()).isEqualTo("chat.v2");
        assertThat(d.upstreamSubprotocols()).containsExactly("chat.v2");
        assertThat(d.upstreamHeaders()).containsExactly(Map.entry("X-Forwarded-For", "10.0.0.1"));
        // a header token still decides at the handshake
        HandshakeDecision h = guard.check(policy, req("/fm").bearer("garbage").build());
        assertThat(h.status()).isEqualTo(401);
    }

    @Test
    void socketioRouteIsPendingAndKeepsTheEngineIoQuery() {
        HandshakeDecision d = guard.check(policy, req("/socket.io/").query("EIO=4&transport=websocket").build());
        assertThat(d.status()).isEqualTo(101);
        assertThat(d.pendingAuth()).isEqualTo(PendingAuth.SOCKETIO_AUTH);
        assertThat(d.upstreamPathAndQuery()).isEqualTo("?EIO=4&transport=websocket");
        String good = rs256("alice");
        d = guard.check(policy, req("/socket.io/").query("EIO=4&access_token=" + good + "&transport=websocket").build());
        assertThat(d.pendingAuth()).isEqualTo(PendingAuth.NONE);
        assertThat(d.identity().subject()).isEqualTo("alice");
        assertThat(d.upstreamPathAndQuery()).isEqualTo("?EIO=4&transport=websocket");
    }

    @Test
    void prefixRouteSuffixIsPassedOn() {
        HandshakeDecision d = guard.check(policy, req("/socket.io/room/7").query("EIO=4").build());
        assertThat(d.status()).isEqualTo(101);
        assertThat(d.upstreamPathAndQuery()).isEqualTo("room/7?EIO=4");
    }

    @Test
    void clientIdentityHeadersAreOverriddenNotDuplicated() {
        HandshakeDecision d = guard.check(policy, req("/chat").bearer(rs256("alice"))
                .header("x-user-id", "admin").header("x-user-roles", "admin").build());
        assertThat(d.upstreamHeaders()).filteredOn(e -> e.getKey().equalsIgnoreCase("X-User-Id"))
                .containsExactly(Map.entry("X-User-Id", "alice"));
        assertThat(d.upstreamHeaders()).filteredOn(e -> e.getKey().equalsIgnoreCase("X-User-Roles"))
                .containsExactly(Map.entry("X-User-Roles", "user"));
    }

    @Test
    void rolesFromSpaceSeparatedStringAndNestedPath() {
        RouteConfig.Jwt nested = new RouteConfig.Jwt(List.of("RS256"), jwksFile(), null, null, ISS, AUD,
                java.time.Duration.ofSeconds(30), "preferred_username", "realm_access.roles", 8192);
        RouteAuth auth = RouteAuth.compile(route("/n", auth(nested)), ENV);
        String t = sign(RSA, JWSAlgorithm.RS256, claims("id-1").claim("preferred_username", "bob")
                .claim("realm_access", Map.of("roles", List.of("user", "admin", 7))).build());
        assertThat(TokenSourcesTest.verify(auth, t).roles()).containsExactly("user", "admin");
        assertThat(TokenSourcesTest.verify(auth, t).subject()).isEqualTo("bob");
        RouteAuth flat = RouteAuth.compile(route("/f", auth(new RouteConfig.Jwt(List.of("RS256"), jwksFile(), null, null,
                ISS, AUD, java.time.Duration.ofSeconds(30), "sub", "scope", 8192))), ENV);
        String s = sign(RSA, JWSAlgorithm.RS256, claims("carol").claim("scope", " read  write ").build());
        assertThat(verify(flat, s).roles()).containsExactly("read", "write");
    }

    static io.wsgate.policy.Identity verify(RouteAuth auth, String token) {
        try {
            return auth.verify(token);
        } catch (TokenException e) {
            throw new AssertionError(e.getMessage());
        }
    }
}
