package io.wsgate.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.crypto.Ed25519Verifier;
import com.nimbusds.jose.crypto.factories.DefaultJWSVerifierFactory;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKMatcher;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.JWSKeySelector;
import com.nimbusds.jose.proc.SecurityContext;

import java.security.Key;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;

/**
 * EdDSA for Nimbus' JWT processor. Its {@code JWSVerificationKeySelector} hands out {@code java.security.Key}s and
 * silently drops OKP JWKs (no Java key export), so Ed25519 keys are carried as {@link OkpPublicKey} and verified
 * by Nimbus' Tink-backed {@link Ed25519Verifier} (which rejects unknown {@code crit} like the others).
 */
final class EdDsaKeys {
    private EdDsaKeys() {
    }

    /** An Ed25519 public JWK dressed as a {@link PublicKey} so it passes through the processor. */
    static final class OkpPublicKey implements PublicKey {
        private static final long serialVersionUID = 1L;
        private final transient OctetKeyPair jwk;

        OkpPublicKey(OctetKeyPair jwk) {
            this.jwk = jwk.toPublicJWK();
        }

        @Override
        public String getAlgorithm() {
            return "Ed25519";
        }

        @Override
        public String getFormat() {
            return null;
        }

        @Override
        public byte[] getEncoded() {
            return null;
        }
    }

    /** The route's selector, plus OKP Ed25519 keys from the same source for EdDSA headers (when EdDSA is allowed). */
    static final class Selector implements JWSKeySelector<SecurityContext> {
        private final JWSKeySelector<SecurityContext> others;
        private final JWKSource<SecurityContext> source;
        private final boolean eddsaAllowed;

        Selector(JWSKeySelector<SecurityContext> others, JWKSource<SecurityContext> source, boolean eddsaAllowed) {
            this.others = others;
            this.source = source;
            this.eddsaAllowed = eddsaAllowed;
        }

        /** False while a {@code jwks_url} has never loaded (readiness). */
        boolean keysLoaded() {
            return !(source instanceof BackgroundJwkSource b) || b.loadedOrRetry();
        }

        @Override
        public List<? extends Key> selectJWSKeys(JWSHeader header, SecurityContext context) throws KeySourceException {
            if (!JWSAlgorithm.EdDSA.equals(header.getAlgorithm())) {
                return others.selectJWSKeys(header, context);
            }
            if (!eddsaAllowed) {
                return List.of();
            }
            List<Key> out = new ArrayList<>(1);
            for (JWK k : source.get(new JWKSelector(JWKMatcher.forJWSHeader(header)), context)) {
                if (k instanceof OctetKeyPair okp && Curve.Ed25519.equals(okp.getCurve())) {
                    out.add(new OkpPublicKey(okp));
                }
            }
            return out;
        }
    }

    /** Nimbus' default factory, plus {@link Ed25519Verifier} for {@link OkpPublicKey}. */
    static final class VerifierFactory extends DefaultJWSVerifierFactory {
        @Override
        public JWSVerifier createJWSVerifier(JWSHeader header, Key key) throws JOSEException {
            if (key instanceof OkpPublicKey okp) {
                if (!JWSAlgorithm.EdDSA.equals(header.getAlgorithm())) {
                    throw new JOSEException("Ed25519 key used with " + header.getAlgorithm());
                }
                return new Ed25519Verifier(okp.jwk);
            }
            return super.createJWSVerifier(header, key);
        }
    }
}
