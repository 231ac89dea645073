package io.wsgate.state;

import io.wsgate.policy.Identity;
import io.wsgate.policy.Session;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MemoryRevocationStoreTest {
    static final long T = 1_800_000_000L;

    AtomicLong now = new AtomicLong(T);
    ConnectionRegistry registry;
    MemoryRevocationStore store;
    List<String> closes;
    long ids;

    @BeforeEach
    void setUp() {
        registry = new ConnectionRegistry();
        store = new MemoryRevocationStore(registry, now::get);
        closes = new ArrayList<>();
    }

    static Identity id(String sub, String jti, long iat, String digest) {
        return new Identity(sub, List.of("user"), jti, iat, iat + 3600, digest);
    }

    Session open(Identity identity) {
        Session s = new Session(++ids, "10.0.0.1", "/chat", ids);
        s.identity(identity);
        s.closer((code, reason) -> closes.add(identity.subject() + ":" + code + ":" + reason));
        registry.add(s);
        return s;
    }

    @Test
    void byJtiClosesMatchingSocketsAndLifts() {
        Identity a = id("alice", "j1", T - 10, "d1");
        Identity b = id("alice", "j2", T - 10, "d2");
        open(a);
        open(b);
        int closed = store.revoke(new Revocation("j1", null, null, T, T + 3600));
        assertThat(closed).isEqualTo(1);
        assertThat(closes).containsExactly("alice:4401:token revoked");
        assertThat(store.isRevoked(a)).isTrue();
        assertThat(store.isRevoked(b)).isFalse();
        store.lift(new Revocation("j1", null, null, 0, 0));
        assertThat(store.isRevoked(a)).isFalse();
    }

    @Test
    void bySubjectRefusesTokensIssuedAtOrBeforeOnly() {
        Identity before = id("alice", "j1", T - 100, "d1");
        Identity sameSecond = id("alice", "j2", T, "d2");
        Identity after = id("alice", "j3", T + 1, "d3");
        Identity noIat = id("alice", "j4", 0, "d4");
        Identity bob = id("bob", "j5", T - 100, "d5");
        open(before);
        open(bob);
        assertThat(store.revoke(new Revocation(null, "alice", null, T, T + 3600))).isEqualTo(1);
        assertThat(store.isRevoked(before)).isTrue();
        assertThat(store.isRevoked(sameSecond)).isTrue();
        assertThat(store.isRevoked(noIat)).isTrue();
        assertThat(store.isRevoked(after)).as("fresh login works").isFalse();
        assertThat(store.isRevoked(bob)).isFalse();
        // a later revocation of the same subject moves the instant forward
        store.revoke(new Revocation(null, "alice", null, T + 5, T + 60));
        assertThat(store.isRevoked(after)).isTrue();
        store.lift(new Revocation(null, "alice", null, 0, 0));
        assertThat(store.isRevoked(before)).isFalse();
    }

    @Test
    void byTokenDigest() {
        Identity a = id("alice", null, T - 10, "digest-a");
        Identity b = id("alice", null, T - 10, "digest-b");
        open(a);
        assertThat(store.revoke(new Revocation(null, null, "digest-a", T, T + 3600))).isEqualTo(1);
        assertThat(store.isRevoked(a)).isTrue();
        assertThat(store.isRevoked(b)).isFalse();
        store.lift(new Revocation(null, null, "digest-a", 0, 0));
        assertThat(store.isRevoked(a)).isFalse();
    }

    @Test
    void revocationsEndAtTheirUntil() {
        Identity a = id("alice", "j1", T - 10, "d1");
        store.revoke(new Revocation("j1", null, null, T, T + 60));
        assertThat(store.isRevoked(a)).isTrue();
        now.set(T + 60);
        assertThat(store.isRevoked(a)).isFalse();
        // already past: closes open sockets but records nothing
        open(a);
        assertThat(store.revoke(new Revocation("j1", null, null, T, T + 10))).isEqualTo(1);
        assertThat(store.isRevoked(a)).isFalse();
    }

    @Test
    void anonymousSessionsAndNullIdentities() {
        Session s = new Session(99, "10.0.0.1", "/pub", 1);
        registry.add(s);
        assertThat(store.revoke(new Revocation(null, "alice", null, T, T + 10))).isZero();
        assertThat(store.isRevoked(null)).isFalse();
        assertThatThrownBy(() -> store.revoke(new Revocation("j", "alice", null, T, T + 10)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void registryOrdersAUsersSessionsOldestFirst() {
        Identity a = id("alice", "j1", T, "d");
        Session s3 = new Session(3, "ip", "/chat", 300);
        Session s1 = new Session(1, "ip", "/chat", 100);
        Session s2 = new Session(2, "ip", "/other", 200);
        for (Session s : List.of(s3, s1, s2)) {
            s.identity(a);
            registry.add(s);
        }
        assertThat(registry.byUserOldestFirst("alice", "/chat")).containsExactly(s1, s3);
        assertThat(registry.byUserOldestFirst("alice", null)).containsExactly(s1, s2, s3);
        assertThat(registry.byUserOldestFirst("bob", null)).isEmpty();
    }

    @Test
    void sessionExpiryHelper() {
        Identity a = new Identity("alice", List.of(), null, T, T + 100, "d");
        assertThat(SessionExpiry.millisUntilExpiry(a, T * 1000)).isEqualTo(100_000);
        assertThat(SessionExpiry.millisUntilExpiry(a, (T + 200) * 1000)).isZero();
        assertThat(SessionExpiry.millisUntilExpiry((Identity) null, T * 1000)).isEqualTo(SessionExpiry.NEVER);
        Session s = new Session(1, "ip", "/chat", 1);
        assertThat(SessionExpiry.millisUntilExpiry(s, T * 1000)).isEqualTo(SessionExpiry.NEVER);
        s.identity(a);
        assertThat(SessionExpiry.millisUntilExpiry(s, (T + 40) * 1000)).isEqualTo(60_000);
    }
}
