package io.wsgate.auth;

import com.nimbusds.jose.JWSAlgorithm;
import io.wsgate.policy.HandshakeDecision;
import io.wsgate.policy.Policy;
import io.wsgate.state.ConnectionRegistry;
import io.wsgate.state.MemoryRevocationStore;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Arrays;
import java.util.List;

import static io.wsgate.auth.AuthFixtures.*;
import static org.assertj.core.api.Assertions.assertThat;

/** Finding 6: no bearer entry and no token after one is ever offered upstream; the first pair is the token. */
class BearerOfferTest {
    static Policy policy;
    static HandshakeGuard guard;
    static String good;
    static String other;

    @BeforeAll
    static void setUp() {
        policy = policy(0, 0, compiled(route("/chat", auth(jwt(List.of("RS256"), jwksFile())))));
        ConnectionRegistry reg = new ConnectionRegistry();
        guard = new HandshakeGuard(reg, new MemoryRevocationStore(reg), (r, ip) -> 0);
        good = sign(RSA, JWSAlgorithm.RS256, claims("alice").build());
        other = sign(RSA, JWSAlgorithm.RS256, claims("mallory").build());
    }

    @ParameterizedTest
    @CsvSource(delimiterString = " => ", value = {
            "bearer T1 => ''",
            "bearer T1 bearer T2 => ''",
            "chat bearer T1 x bearer T2 y => chat x y",
            "bearer bearer T => ''",
            "bearer => ''",
            "a BEARER T Bearer U b => a b",
            "a b => a b",
            "bearer T1 bearer => ''",
    })
    void withoutBearerDropsEveryPairWhateverItsPlace(String offers, String expected) {
        List<String> in = Arrays.asList(offers.split(" "));
        List<String> want = expected.isEmpty() ? List.of() : Arrays.asList(expected.split(" "));
        assertThat(TokenExtractor.withoutBearer(in)).isEqualTo(want);
    }

    @Test
    void theFirstPairIsTheTokenAndNoPairGoesUpstream() {
        HandshakeDecision d = guard.check(policy, req("/chat")
                .header("sec-websocket-protocol", "bearer, " + good + ", bearer, " + other).build());
        assertThat(d.accepted()).isTrue();
        assertThat(d.identity().subject()).isEqualTo("alice");
        assertThat(d.upstreamSubprotocols()).isEmpty();
        assertThat(d.clientSubprotocol()).isEqualTo("bearer");
    }

    @Test
    void anInvalidFirstPairIsRefusedEvenWhenTheSecondIsValid() {
        HandshakeDecision d = guard.check(policy, req("/chat")
                .header("sec-websocket-protocol", "bearer, garbage, bearer, " + good).build());
        assertThat(d.status()).isEqualTo(401);
    }

    @Test
    void pairsAcrossSeveralHeaderLinesAreAllRemoved() {
        HandshakeDecision d = guard.check(policy, req("/chat")
                .header("sec-websocket-protocol", "chat.v1, bearer")
                .header("sec-websocket-protocol", good + ", chat.v2")
                .header("sec-websocket-protocol", "bearer, " + other).build());
        assertThat(d.accepted()).isTrue();
        assertThat(d.identity().subject()).isEqualTo("alice");
        assertThat(d.upstreamSubprotocols()).containsExactly("chat.v1", "chat.v2");
    }

    @Test
    void aSubprotocolTokenIsStrippedEvenWhenTheHeaderDecided() {
        HandshakeDecision d = guard.check(policy, req("/chat").bearer(good)
                .header("sec-websocket-protocol", "bearer, bearer, " + other + ", chat.v1").build());
        assertThat(d.accepted()).isTrue();
        assertThat(d.upstreamSubprotocols()).containsExactly("chat.v1");
        assertThat(String.join(",", d.upstreamSubprotocols())).doesNotContain(other).doesNotContainIgnoringCase("bearer");
    }
}
