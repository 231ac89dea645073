package io.wsgate.auth;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.proc.JWSKeySelector;
import com.nimbusds.jose.proc.SecurityContext;

import java.security.Key;
import java.util.List;
import java.util.Set;

/** The route's one HMAC secret for the route's HS* algorithms only; the header's kid is irrelevant. */
final class HmacKeySelector implements JWSKeySelector<SecurityContext> {
    private final Set<JWSAlgorithm> allowed;
    private final List<Key> key;

    HmacKeySelector(Set<JWSAlgorithm> allowed, Key key) {
        this.allowed = allowed;
        this.key = List.of(key);
    }

    @Override
    public List<? extends Key> selectJWSKeys(JWSHeader header, SecurityContext context) {
        return allowed.contains(header.getAlgorithm()) ? key : List.of();
    }
}
