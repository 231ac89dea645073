package io.wsgate.policy;

import io.wsgate.auth.RouteAuth;
import io.wsgate.config.RouteConfig;
import io.wsgate.inspect.RouteRules;
import io.wsgate.limits.RouteLimits;

import java.util.function.Function;

/**
 * One route compiled for serving: the config plus what each pipeline stage built from it at load
 * time (verifier and keys, compiled schemas and sanitizers, bucket configurations).
 */
public final class RoutePolicy {
    private final RouteConfig config;
    private final RouteAuth auth;
    private final RouteRules rules;
    private final RouteLimits limits;

    public RoutePolicy(RouteConfig config, RouteAuth auth, RouteRules rules, RouteLimits limits) {
        this.config = config;
        this.auth = auth;
        this.rules = rules;
        this.limits = limits;
    }

    /** Compiles every stage; throws {@link io.wsgate.config.InvalidSettingException} on a bad setting. */
    public static RoutePolicy compile(RouteConfig config) {
        return compile(config, System::getenv);
    }

    /** As {@link #compile(RouteConfig)}, reading {@code hmac_secret_env} through {@code env}. */
    public static RoutePolicy compile(RouteConfig config, Function<String, String> env) {
        return compile(config, env, true);
    }

    /** {@code fetchKeys} false: a {@code jwks_url} is not fetched now (for {@code check}, which fetches it itself). */
    public static RoutePolicy compile(RouteConfig config, Function<String, String> env, boolean fetchKeys) {
        return new RoutePolicy(config, RouteAuth.compile(config, env, fetchKeys), RouteRules.compile(config),
                RouteLimits.compile(config));
    }

    public String path() {
        return config.route().path();
    }

    public RouteConfig config() {
        return config;
    }

    /** Null on a public route (no {@code auth} section, or {@code required: false} with no jwt). */
    public RouteAuth auth() {
        return auth;
    }

    public RouteRules rules() {
        return rules;
    }

    public RouteLimits limits() {
        return limits;
    }
}
