package io.wsgate.config;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.ParseException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * What {@code check} asks of a route's keys beyond their syntax: a {@code jwks_file} must not hold the published
 * development key, and a {@code jwks_url} must answer a JWK set. Blocking, for the command line and the load step
 * (never an event loop).
 */
public final class JwksChecks {
    /** The {@code kid} of the development key shipped in {@code policies/keys/} (its private half is public). */
    public static final String DEV_KID = "wsgate-dev-1";
    /** For connecting, and for the whole answer. */
    static final Duration FETCH_TIMEOUT = Duration.ofSeconds(5);
    static final int MAX_JWKS_BYTES = 1 << 20;

    private JwksChecks() {
    }

    /** True when the file is a JWK set holding a key with the development kid (an unreadable file is the compiler's). */
    static boolean holdsDevKey(Path jwksFile) {
        try {
            if (Files.size(jwksFile) > MAX_JWKS_BYTES) {
                return false;
            }
            return holdsDevKey(JWKSet.parse(Files.readString(jwksFile, StandardCharsets.UTF_8)));
        } catch (IOException | ParseException | RuntimeException e) {
            return false;
        }
    }

    static boolean holdsDevKey(JWKSet set) {
        for (JWK k : set.getKeys()) {
            if (DEV_KID.equals(k.getKeyID())) {
                return true;
            }
        }
        return false;
    }

    /**
     * Fetches {@code url} once, within {@link #FETCH_TIMEOUT} for connecting and again for the whole answer; null
     * when it answered 200 with a JWK set of at least one key, else what went wrong.
     */
    public static String fetchProblem(String url) {
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            return "not a URL";
        }
        HttpClient client = HttpClient.newBuilder()
                .connectTimeout(FETCH_TIMEOUT)
                .followRedirects(HttpClient.Redirect.NORMAL)
                .build();
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(FETCH_TIMEOUT)
                .header("Accept", "application/json, application/jwk-set+json").GET().build();
        HttpResponse.BodyHandler<byte[]> bounded = info -> info.headers().firstValueAsLong("content-length").orElse(0)
                > MAX_JWKS_BYTES ? HttpResponse.BodySubscribers.replacing(null) : HttpResponse.BodySubscribers.ofByteArray();
        CompletableFuture<HttpResponse<byte[]>> pending = client.sendAsync(request, bounded);
        HttpResponse<byte[]> response;
        try {
            response = pending.get(FETCH_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            pending.cancel(true);
            return "cannot fetch " + url + ": no complete answer within " + FETCH_TIMEOUT.toSeconds() + "s";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "cannot fetch " + url + ": interrupted";
        } catch (ExecutionException e) {
            return "cannot fetch " + url + ": " + reason(e.getCause());
        }
        if (response.statusCode() != 200) {
            return url + " answered HTTP " + response.statusCode() + ", not a JWK set";
        }
        byte[] body = response.body();
        if (body == null || body.length > MAX_JWKS_BYTES) {
            return url + " answered more than " + MAX_JWKS_BYTES + " bytes, not a JWK set";
        }
        JWKSet set;
        try {
            set = JWKSet.parse(new String(body, StandardCharsets.UTF_8));
        } catch (ParseException e) {
            return url + " did not answer a JWK set: " + e.getMessage();
        }
        if (set.getKeys().isEmpty()) {
            return url + " answered a JWK set with no keys";
        }
        return null;
    }

    /** A plain reason, without Java class names where a plain one exists. */
    private static String reason(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ConnectException) {
                return "connection refused or unreachable";
            }
            if (t instanceof HttpTimeoutException) {
                return "no answer within " + FETCH_TIMEOUT.toSeconds() + "s";
            }
            if (t instanceof java.nio.channels.UnresolvedAddressException || t instanceof java.net.UnknownHostException) {
                return "unknown host";
            }
        }
        String m = e == null ? null : e.getMessage();
        return m == null || m.isBlank() ? (e == null ? "failed" : e.getClass().getSimpleName()) : m;
    }
}
