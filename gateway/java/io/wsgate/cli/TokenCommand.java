package io.wsgate.cli;

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
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.OctetSequenceKey;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.wsgate.config.Durations;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;

/** {@code wsgate token}: mints a signed test token with a private JWK (RSA: RS256, EC P-256: ES256, Ed25519: EdDSA, oct: HS256). */
@Command(name = "token", mixinStandardHelpOptions = true, description = "Mint a signed test token and print it.")
public final class TokenCommand implements Callable<Integer> {

    @Option(names = "--key", required = true, paramLabel = "JWK_FILE", description = "private JWK (JSON) to sign with")
    Path key;

    @Option(names = "--sub", required = true, paramLabel = "ID", description = "subject (user id)")
    String sub;

    @Option(names = "--roles", split = ",", paramLabel = "a,b", description = "roles claim")
    List<String> roles;

    @Option(names = "--ttl", defaultValue = "1h", description = "lifetime: 500ms, 30s, 10m, 1h, 7d (default ${DEFAULT-VALUE})")
    String ttl;

    @Option(names = "--iss", description = "issuer")
    String iss;

    @Option(names = "--aud", description = "audience")
    String aud;

    @Option(names = "--kid", description = "key id header (default: the JWK's kid)")
    String kid;

    @Override
    public Integer call() {
        try {
            System.out.println(mint(JWK.parse(Files.readString(key, StandardCharsets.UTF_8)), sub, roles,
                    parseDuration(ttl), iss, aud, kid, Instant.now()));
            return 0;
        } catch (IOException e) {
            System.err.println("wsgate token: cannot read " + key + ": " + e.getMessage());
        } catch (ParseException e) {
            System.err.println("wsgate token: " + key + " is not a JWK: " + e.getMessage());
        } catch (IllegalArgumentException | JOSEException e) {
            System.err.println("wsgate token: " + e.getMessage());
        }
        return 1;
    }

    /** The compact signed token; {@code roles}, {@code iss}, {@code aud}, {@code kid} may be null. */
    public static String mint(JWK jwk, String sub, List<String> roles, Duration ttl, String iss, String aud, String kid,
                              Instant now) throws JOSEException {
        if (!jwk.isPrivate()) {
            throw new IllegalArgumentException("the JWK holds no private key (use the private JWK, not the public set)");
        }
        JWSAlgorithm alg;
        JWSSigner signer;
        if (jwk instanceof RSAKey rsa) {
            alg = JWSAlgorithm.RS256;
            signer = new RSASSASigner(rsa);
        } else if (jwk instanceof ECKey ec && Curve.P_256.equals(ec.getCurve())) {
            alg = JWSAlgorithm.ES256;
            signer = new ECDSASigner(ec);
        } else if (jwk instanceof OctetKeyPair okp && Curve.Ed25519.equals(okp.getCurve())) {
            alg = JWSAlgorithm.EdDSA;
            signer = new Ed25519Signer(okp);
        } else if (jwk instanceof OctetSequenceKey oct) {
            alg = JWSAlgorithm.HS256;
            signer = new MACSigner(oct);
        } else {
            throw new IllegalArgumentException("unsupported key type " + jwk.getKeyType()
                    + " (RSA, EC P-256, OKP Ed25519 or oct)");
        }
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder()
                .subject(sub)
                .issueTime(Date.from(now))
                .expirationTime(Date.from(now.plus(ttl)))
                .jwtID(UUID.randomUUID().toString());
        if (roles != null && !roles.isEmpty()) {
            claims.claim("roles", roles);
        }
        if (iss != null) {
            claims.issuer(iss);
        }
        if (aud != null) {
            claims.audience(aud);
        }
        JWSHeader header = new JWSHeader.Builder(alg).type(JOSEObjectType.JWT)
                .keyID(kid != null ? kid : jwk.getKeyID()).build();
        SignedJWT jwt = new SignedJWT(header, claims.build());
        jwt.sign(signer);
        return jwt.serialize();
    }

    static Duration parseDuration(String s) {
        Duration d = Durations.parse(s == null ? "" : s.trim());
        if (d == null || d.isZero()) {
            throw new IllegalArgumentException("--ttl: '" + s + "' is not a duration like 30s, 10m, 2h30m, 7d");
        }
        return d;
    }
}
