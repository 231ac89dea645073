package io.wsgate.auth;

import io.wsgate.config.RouteConfig;
import io.wsgate.policy.Identity;

/** A route's compiled authentication: the JWT verifier with its keys, and the token sources in order. */
public final class RouteAuth {
    private final RouteConfig.Auth config;

    private RouteAuth(RouteConfig.Auth config) {
        this.config = config;
    }

    /** Null for a public route. Throws InvalidSettingException on bad keys, algorithms or secrets. */
    public static RouteAuth compile(RouteConfig route) {
        return route.auth() == null ? null : new RouteAuth(route.auth());
    }

    public RouteConfig.Auth config() {
        return config;
    }

    /** Verifies signature, algorithm, exp (required), nbf, iss, aud, size; never consults revocations. */
    public Identity verify(String token) throws TokenException {
        throw new TokenException("invalid_token", "not implemented yet");
    }
}
