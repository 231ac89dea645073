package io.wsgate.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.JWSKeySelector;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.ConfigurableJWTProcessor;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import io.wsgate.config.InvalidSettingException;
import io.wsgate.config.RouteConfig;
import io.wsgate.policy.Identity;

import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URI;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.security.Key;
import java.text.ParseException;
import java.time.Duration;
import java.util.Date;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * A route's compiled authentication: the Nimbus JWT processor with its keys, the token sources in order, and a
 * bounded cache of verified tokens (keyed by token digest, each entry expiring with its token) so reconnect
 * storms do not re-verify signatures.
 */
public final class RouteAuth {
    static final int CACHE_MAX_ENTRIES = 50_000;
    private static final Set<JWSAlgorithm> HMAC = Set.of(JWSAlgorithm.HS256, JWSAlgorithm.HS384, JWSAlgorithm.HS512);
    private static final Set<JWSAlgorithm> ASYMMETRIC = Set.of(
            JWSAlgorithm.RS256, JWSAlgorithm.RS384, JWSAlgorithm.RS512,
            JWSAlgorithm.PS256, JWSAlgorithm.PS384, JWSAlgorithm.PS512,
            JWSAlgorithm.ES256, JWSAlgorithm.ES384, JWSAlgorithm.ES512, JWSAlgorithm.EdDSA);

    private final RouteConfig.Auth config;
    private final List<TokenSource> sources;
    private final ConfigurableJWTProcessor<SecurityContext> processor;
    private final Cache<String, Identity> verified;
    private final int maxTokenBytes;
    private final long skewSeconds;
    private final String userClaim;
    private final String[] rolesPath;

    private RouteAuth(RouteConfig.Auth config, List<TokenSource> sources,
                      ConfigurableJWTProcessor<SecurityContext> processor, int maxTokenBytes, long skewSeconds) {
        this.config = config;
        this.sources = sources;
        this.processor = processor;
        this.maxTokenBytes = maxTokenBytes;
        this.skewSeconds = skewSeconds;
        RouteConfig.Jwt jwt = config.jwt();
        this.userClaim = jwt == null || jwt.userClaim() == null ? "sub" : jwt.userClaim();
        this.rolesPath = jwt == null || jwt.rolesClaim() == null || jwt.rolesClaim().isEmpty()
                ? new String[0] : jwt.rolesClaim().split("\\.");
        this.verified = Caffeine.newBuilder()
                .maximumSize(CACHE_MAX_ENTRIES)
                .expireAfter(Expiry.<String, Identity>creating((k, id) -> Duration.ofMillis(
                        Math.max(0, (id.expiresAt() + skewSeconds) * 1000 - System.currentTimeMillis()))))
                .build();
    }

    /** Null for a public route. Throws InvalidSettingException on bad keys, algorithms or secrets. */
    public static RouteAuth compile(RouteConfig route) {
        return compile(route, System::getenv);
    }

    /** As {@link #compile(RouteConfig)}, reading {@code hmac_secret_env} through {@code env} (tests). */
    public static RouteAuth compile(RouteConfig route, Function<String, String> env) {
        return compile(route, env, true);
    }

    /**
     * {@code fetchKeys} false: a {@code jwks_url} is not fetched at compile time (only on first use), for a load that
     * serves nothing ({@code check}).
     */
    public static RouteAuth compile(RouteConfig route, Function<String, String> env, boolean fetchKeys) {
        RouteConfig.Auth auth = route.auth();
        if (auth == null) {
            return null;
        }
        List<TokenSource> sources = TokenSource.parseAll(auth.tokenFrom());
        checkSources(route, sources);
        if (auth.connectRoles() != null && !auth.connectRoles().isEmpty() && auth.jwt() == null) {
            throw new InvalidSettingException("auth.connect_roles", "connect_roles needs auth.jwt");
        }
        if (auth.maxSessionsPerUser() < 0) {
            throw new InvalidSettingException("auth.max_sessions_per_user", "must be 0 (unlimited) or more");
        }
        RouteConfig.Jwt jwt = auth.jwt();
        if (jwt == null) {
            if (auth.required()) {
                throw new InvalidSettingException("auth.jwt", "auth.required needs a jwt section");
            }
            // auth present but nothing to verify with: behaves as a public route
            return null;
        }
        Set<JWSAlgorithm> algs = algorithms(jwt);
        JWSKeySelector<SecurityContext> keys = keySelector(jwt, algs, env, fetchKeys);
        long skew = jwt.clockSkew() == null ? 30 : jwt.clockSkew().toSeconds();
        if (skew < 0 || skew > 600) {
            throw new InvalidSettingException("auth.jwt.clock_skew", "must be between 0s and 10m");
        }
        int maxBytes = jwt.maxTokenBytes() <= 0 ? 8192 : jwt.maxTokenBytes();

        DefaultJWTProcessor<SecurityContext> p = new DefaultJWTProcessor<>();
        p.setJWSTypeVerifier(new DefaultJOSEObjectTypeVerifier<>(JOSEObjectType.JWT, new JOSEObjectType("at+jwt"), null));
        p.setJWSKeySelector(keys);
        p.setJWSVerifierFactory(new EdDsaKeys.VerifierFactory());
        // No JWE key selector: encrypted tokens are rejected; unsecured (alg none) ones always are.
        JWTClaimsSet exact = jwt.issuer() == null ? new JWTClaimsSet.Builder().build()
                : new JWTClaimsSet.Builder().issuer(jwt.issuer()).build();
        Set<String> required = new HashSet<>(Set.of("exp"));
        if (jwt.issuer() != null) {
            required.add("iss");
        }
        DefaultJWTClaimsVerifier<SecurityContext> claims = new DefaultJWTClaimsVerifier<>(
                jwt.audience() == null ? null : Set.of(jwt.audience()), exact, required, null);
        claims.setMaxClockSkew((int) skew);
        p.setJWTClaimsSetVerifier(claims);
        return new RouteAuth(auth, sources, p, maxBytes, skew);
    }

    private static void checkSources(RouteConfig route, List<TokenSource> sources) {
        RouteConfig.Kind kind = route.protocol() == null ? RouteConfig.Kind.RAW : route.protocol().kind();
        for (int i = 0; i < sources.size(); i++) {
            TokenSource s = sources.get(i);
            if (s.kind() == TokenSource.Kind.FIRST_MESSAGE && kind != RouteConfig.Kind.JSON) {
                throw new InvalidSettingException("auth.token_from[" + i + "]", "first_message needs protocol.kind: json");
            }
            if (s.kind() == TokenSource.Kind.SOCKETIO_AUTH && kind != RouteConfig.Kind.SOCKETIO) {
                throw new InvalidSettingException("auth.token_from[" + i + "]", "socketio_auth needs protocol.kind: socketio");
            }
        }
    }

    private static Set<JWSAlgorithm> algorithms(RouteConfig.Jwt jwt) {
        if (jwt.algorithms() == null || jwt.algorithms().isEmpty()) {
            throw new InvalidSettingException("auth.jwt.algorithms", "list at least one algorithm");
        }
        Set<JWSAlgorithm> out = new LinkedHashSet<>();
        for (String name : jwt.algorithms()) {
            JWSAlgorithm a = JWSAlgorithm.parse(name == null ? "" : name.trim());
            if (!HMAC.contains(a) && !ASYMMETRIC.contains(a)) {
                throw new InvalidSettingException("auth.jwt.algorithms", "unsupported algorithm '" + name
                        + "' (HS256/384/512, RS*, PS*, ES256/384/512, EdDSA)");
            }
            out.add(a);
        }
        boolean anyHmac = out.stream().anyMatch(HMAC::contains);
        boolean anyAsym = out.stream().anyMatch(ASYMMETRIC::contains);
        if (anyHmac && anyAsym) {
            throw new InvalidSettingException("auth.jwt.algorithms", "never mix HS* with RS*/PS*/ES*/EdDSA in one route");
        }
        return Set.copyOf(out);
    }

    private static JWSKeySelector<SecurityContext> keySelector(RouteConfig.Jwt jwt, Set<JWSAlgorithm> algs,
                                                              Function<String, String> env, boolean fetchKeys) {
        int sourcesSet = (jwt.jwksFile() != null ? 1 : 0) + (jwt.jwksUrl() != null ? 1 : 0)
                + (jwt.hmacSecretEnv() != null ? 1 : 0);
        if (sourcesSet != 1) {
            throw new InvalidSettingException("auth.jwt", "set exactly one of jwks_file, jwks_url, hmac_secret_env");
        }
        boolean hmac = algs.stream().anyMatch(HMAC::contains);
        if (hmac != (jwt.hmacSecretEnv() != null)) {
            throw new InvalidSettingException("auth.jwt.algorithms", hmac
                    ? "HS* algorithms need hmac_secret_env" : "hmac_secret_env only works with HS256/HS384/HS512");
        }
        if (hmac) {
            return new HmacKeySelector(algs, hmacKey(jwt.hmacSecretEnv(), algs, env));
        }
        JWKSource<SecurityContext> source = jwt.jwksFile() != null ? fileSource(jwt) : urlSource(jwt.jwksUrl(), fetchKeys);
        return new EdDsaKeys.Selector(new JWSVerificationKeySelector<>(algs, source), source,
                algs.contains(JWSAlgorithm.EdDSA));
    }

    private static Key hmacKey(String var, Set<JWSAlgorithm> algs, Function<String, String> env) {
        String value = env.apply(var);
        if (value == null || value.isEmpty()) {
            throw new InvalidSettingException("auth.jwt.hmac_secret_env", "environment variable " + var + " is not set");
        }
        byte[] secret = value.getBytes(StandardCharsets.UTF_8);
        for (JWSAlgorithm a : algs) {
            int need = a.equals(JWSAlgorithm.HS256) ? 32 : a.equals(JWSAlgorithm.HS384) ? 48 : 64;
            if (secret.length < need) {
                throw new InvalidSettingException("auth.jwt.hmac_secret_env", "the secret in " + var + " has "
                        + secret.length + " bytes; " + a.getName() + " needs at least " + need);
            }
        }
        return new SecretKeySpec(secret, "HmacSHA256");
    }

    private static JWKSource<SecurityContext> fileSource(RouteConfig.Jwt jwt) {
        JWKSet set;
        try {
            set = JWKSet.load(jwt.jwksFile().toFile());
        } catch (IOException | ParseException e) {
            throw new InvalidSettingException("auth.jwt.jwks_file", "cannot read JWK set " + jwt.jwksFile() + ": "
                    + e.getMessage());
        }
        if (set.getKeys().isEmpty()) {
            throw new InvalidSettingException("auth.jwt.jwks_file", jwt.jwksFile() + " holds no keys");
        }
        // Public halves only, whatever the file holds.
        return new ImmutableJWKSet<>(set.toPublicJWKSet());
    }

    private static JWKSource<SecurityContext> urlSource(String jwksUrl, boolean prefetch) {
        URL url;
        try {
            URI uri = URI.create(jwksUrl);
            if (!"https".equals(uri.getScheme()) && !"http".equals(uri.getScheme())) {
                throw new InvalidSettingException("auth.jwt.jwks_url", "must be an http(s) URL: " + jwksUrl);
            }
            url = uri.toURL();
        } catch (IllegalArgumentException | MalformedURLException e) {
            throw new InvalidSettingException("auth.jwt.jwks_url", "not a URL: " + jwksUrl);
        }
        JWKSource<SecurityContext> nimbus = JWKSourceBuilder.<SecurityContext>create(url)
                .cache(Duration.ofMinutes(5).toMillis(), Duration.ofSeconds(15).toMillis())
                .rateLimited(Duration.ofSeconds(30).toMillis())
                .retrying(true)
                .outageTolerant(Duration.ofHours(4).toMillis())
                .build();
        BackgroundJwkSource bg = new BackgroundJwkSource(nimbus, jwksUrl, Duration.ofMinutes(1).toMillis(),
                System::currentTimeMillis);
        if (prefetch) {
            bg.prefetch();
        }
        return bg;
    }

    /** False while the route's {@code jwks_url} has never loaded: {@code /readyz} answers 503 then. */
    public boolean keysLoaded() {
        return !(processor.getJWSKeySelector() instanceof EdDsaKeys.Selector s) || s.keysLoaded();
    }

    public RouteConfig.Auth config() {
        return config;
    }

    /** The parsed {@code token_from} entries, in order. */
    public List<TokenSource> sources() {
        return sources;
    }

    /**
     * Verifies spelling (canonical base64url), signature, algorithm, exp (required), nbf, iat (not in the future),
     * iss, aud, size, and the user and role values; never consults revocations.
     */
    public Identity verify(String token) throws TokenException {
        if (token == null || token.isEmpty()) {
            throw new TokenException("invalid_token", "empty token");
        }
        if (token.length() > maxTokenBytes) {
            throw new TokenException("invalid_token", "token longer than " + maxTokenBytes + " bytes");
        }
        // Before the cache and the signature: a re-spelled token must never reach either.
        CompactJws.requireCanonical(token);
        // The cache keys on the whole token (signature too): another signature of the same claims is verified.
        String cacheKey = CompactJws.sha256Hex(token);
        Identity cached = verified.getIfPresent(cacheKey);
        if (cached != null && cached.expiresAt() + skewSeconds > nowSeconds()) {
            return cached;
        }
        JWTClaimsSet claims;
        try {
            claims = processor.process(token, null);
        } catch (ParseException e) {
            throw new TokenException("invalid_token", "malformed token");
        } catch (Exception e) {
            throw new TokenException("invalid_token", reason(e.getMessage()));
        }
        Identity id = identity(claims, digest(token));
        verified.put(cacheKey, id);
        return id;
    }

    /** Cached verifications right now (tests, metrics). */
    public long cachedTokens() {
        verified.cleanUp();
        return verified.estimatedSize();
    }

    private Identity identity(JWTClaimsSet claims, String digest) throws TokenException {
        Object user = claims.getClaim(userClaim);
        if (!(user instanceof String subject) || subject.isEmpty()) {
            throw new TokenException("invalid_token", "claim '" + userClaim + "' missing or not a string");
        }
        if (!ClaimValues.headerSafe(subject)) {
            throw new TokenException("invalid_token", "claim '" + userClaim
                    + "' contains a comma, whitespace or a control character");
        }
        Date exp = claims.getExpirationTime();
        if (exp == null) {
            throw new TokenException("invalid_token", "token has no exp");
        }
        Date iat = claims.getIssueTime();
        long issuedAt = iat == null ? 0 : iat.getTime() / 1000;
        // Nimbus does not check iat; a future one would outlive a revocation by sub.
        if (issuedAt > nowSeconds() + skewSeconds) {
            throw new TokenException("invalid_token", "token issued in the future (iat)");
        }
        return new Identity(subject, ClaimValues.roles(claims, rolesPath), claims.getJWTID(), issuedAt,
                exp.getTime() / 1000, digest);
    }

    /** Nimbus' reason, bounded: it may quote a claim value the client chose (a wrong iss). */
    private static String reason(String message) {
        if (message == null) {
            return "token rejected";
        }
        return message.length() <= 160 ? message : message.substring(0, 160) + "...";
    }

    /**
     * The revocation digest of a canonical compact JWS: SHA-256 hex of its header and payload (see
     * {@link CompactJws#revocationDigest}); what {@link Identity#tokenDigest()}, revocation by whole token and audit use.
     */
    public static String digest(String token) {
        return CompactJws.revocationDigest(token);
    }

    private static long nowSeconds() {
        return System.currentTimeMillis() / 1000;
    }
}
