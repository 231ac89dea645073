package io.wsgate.config;

import io.wsgate.config.RouteConfig.Kind;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/** Maps the tree of one route file onto {@link RouteConfig}, filling defaults and checking each setting. */
final class RouteReader {
    static final Set<String> ALGORITHMS = Set.of("RS256", "RS384", "RS512", "PS256", "PS384", "PS512",
            "ES256", "ES384", "ES512", "EdDSA", "HS256", "HS384", "HS512");
    private static final Pattern HEADER_NAME = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
    private static final Duration ONE_MS = Duration.ofMillis(1);

    private final FileReader r;

    RouteReader(FileReader r) {
        this.r = r;
    }

    /** Null when the file has no usable {@code route} section (already reported). */
    RouteConfig read(YamlNode root) {
        if (root == null) {
            r.problem(1, "route", "missing (the file is empty)");
            return null;
        }
        YamlNode top = r.section(root, Set.of("route", "protocol", "auth", "forward", "rate_limits", "events"));
        if (top == null) {
            return null;
        }
        YamlNode routeNode = FileReader.child(top, "route");
        if (routeNode == null) {
            r.missing(top, "route", null);
        }
        RouteConfig.Protocol protocol = protocol(FileReader.child(top, "protocol"));
        RouteConfig.Route route = route(routeNode, protocol.kind());
        RouteConfig.Auth auth = auth(FileReader.child(top, "auth"), protocol.kind());
        RouteConfig.Forward forward = forward(FileReader.child(top, "forward"), protocol.kind());
        RouteConfig.RateLimits limits = rateLimits(FileReader.child(top, "rate_limits"));
        RouteConfig.Events events = events(FileReader.child(top, "events"));
        return route == null ? null : new RouteConfig(r.file, route, protocol, auth, forward, limits, events);
    }

    private RouteConfig.Route route(YamlNode node, Kind kind) {
        YamlNode m = r.section(node, Set.of("path", "upstream", "allowed_origins", "allow_no_origin", "max_message_bytes",
                "max_upstream_message_bytes", "subprotocols", "permessage_deflate"));
        if (m == null) {
            return null;
        }
        String path = r.string(m, "path", null);
        if (path == null && FileReader.child(m, "path") == null) {
            r.missing(m, "path", null);
        } else if (path != null && !path.startsWith("/")) {
            r.problem(FileReader.child(m, "path"), "must start with /, got \"" + path + "\"");
        }
        List<String> origins = r.strings(m, "allowed_origins", List.of(),
                v -> isOrigin(v) ? null : "not an origin (scheme://host[:port]): \"" + v + "\"");
        List<String> subprotocols = r.strings(m, "subprotocols", List.of(),
                v -> HEADER_NAME.matcher(v).matches() ? null : "not a valid subprotocol token: \"" + v + "\"");
        return new RouteConfig.Route(path == null ? "/" : path, upstream(m), origins, r.bool(m, "allow_no_origin", false),
                r.integer(m, "max_message_bytes", 65536, 1), r.integer(m, "max_upstream_message_bytes", 1048576, 1),
                subprotocols, r.bool(m, "permessage_deflate", false));
    }

    private RouteConfig.Upstream upstream(YamlNode route) {
        YamlNode m = r.section(FileReader.child(route, "upstream"), Set.of("targets", "balance", "connect_timeout", "ca_file"));
        if (m == null) {
            if (FileReader.child(route, "upstream") == null) {
                r.missing(route, "upstream", null);
            }
            return new RouteConfig.Upstream(List.of(), RouteConfig.Balance.ROUND_ROBIN, Duration.ofSeconds(3), null);
        }
        List<String> targets = r.strings(m, "targets", List.of(), RouteReader::targetProblem);
        YamlNode list = FileReader.child(m, "targets");
        if (list == null) {
            r.missing(m, "targets", "at least one ws:// or wss:// URL");
        } else if (list.kind == YamlNode.Kind.LIST && list.items.isEmpty()) {
            r.problem(list, "needs at least one ws:// or wss:// URL");
        }
        return new RouteConfig.Upstream(targets, r.enumValue(m, "balance", RouteConfig.Balance.class, RouteConfig.Balance.ROUND_ROBIN),
                r.duration(m, "connect_timeout", Duration.ofSeconds(3), ONE_MS), r.path(m, "ca_file", true));
    }

    private static String targetProblem(String target) {
        try {
            URI u = new URI(target);
            if (!"ws".equals(u.getScheme()) && !"wss".equals(u.getScheme())) {
                return "expected a ws:// or wss:// URL, got \"" + target + "\"";
            }
            if (u.getHost() == null) {
                return "no host in \"" + target + "\"";
            }
            if (u.getPort() > 65535) {
                return "port out of range in \"" + target + "\"";
            }
            return null;
        } catch (URISyntaxException e) {
            return "not a URL: \"" + target + "\"";
        }
    }

    private static boolean isOrigin(String origin) {
        try {
            URI u = new URI(origin);
            return u.getScheme() != null && u.getHost() != null && (u.getRawPath() == null || u.getRawPath().isEmpty())
                    && u.getRawQuery() == null && u.getRawFragment() == null && u.getRawUserInfo() == null;
        } catch (URISyntaxException e) {
            return false;
        }
    }

    private RouteConfig.Protocol protocol(YamlNode node) {
        YamlNode m = r.section(node, Set.of("kind", "event", "namespaces", "max_attachments"));
        Kind kind = r.enumValue(m, "kind", Kind.class, Kind.RAW);
        String event = null;
        if (FileReader.child(m, "event") != null && kind != Kind.JSON) {
            r.problem(FileReader.child(m, "event"), "only for kind: json");
        } else if (kind == Kind.JSON) {
            event = r.string(m, "event", "type");
            if (!isEventPath(event)) {
                r.problem(FileReader.child(m, "event"), "not an event path (e.g. type, payload.action, [3]): \"" + event + "\"");
            }
        }
        for (String k : List.of("namespaces", "max_attachments")) {
            if (FileReader.child(m, k) != null && kind != Kind.SOCKETIO) {
                r.problem(FileReader.child(m, k), "only for kind: socketio");
            }
        }
        Map<String, RouteConfig.Namespace> namespaces = null;
        Map<String, YamlNode> ns = kind == Kind.SOCKETIO ? r.namedEntries(m, "namespaces") : null;
        if (ns != null) {
            namespaces = new LinkedHashMap<>();
            if (ns.isEmpty()) {
                r.problem(FileReader.child(m, "namespaces"), "needs at least one namespace (leave it out to allow any)");
            }
            for (Map.Entry<String, YamlNode> e : ns.entrySet()) {
                if (!e.getKey().startsWith("/")) {
                    r.problem(e.getValue(), "a namespace starts with /");
                }
                YamlNode nm = r.section(e.getValue(), Set.of("roles"));
                namespaces.put(e.getKey(), new RouteConfig.Namespace(r.strings(nm, "roles", List.of())));
            }
            namespaces = Collections.unmodifiableMap(namespaces);
        }
        int maxAttachments = kind == Kind.SOCKETIO ? r.integer(m, "max_attachments", 10, 0) : 10;
        return new RouteConfig.Protocol(kind, event, namespaces, maxAttachments);
    }

    /** {@code type}, {@code payload.action}, {@code [3]}, {@code data[0].kind}. */
    static boolean isEventPath(String p) {
        return p != null && p.matches("(?:[^.\\[\\]]+|\\[\\d+])(?:\\.[^.\\[\\]]+|\\[\\d+])*");
    }

    private RouteConfig.Auth auth(YamlNode node, Kind kind) {
        YamlNode m = r.section(node, Set.of("required", "jwt", "token_from", "auth_timeout", "connect_roles", "close_on_expiry",
                "refresh_event", "max_sessions_per_user", "on_excess_sessions"));
        if (m == null) {
            return null;
        }
        boolean required = r.bool(m, "required", true);
        RouteConfig.Jwt jwt = jwt(FileReader.child(m, "jwt"));
        if (jwt == null && required && FileReader.child(m, "jwt") == null) {
            r.missing(m, "jwt", "required: true needs a jwt section");
        }
        List<String> dflt = kind == Kind.SOCKETIO
                ? List.of("header", "query:access_token", "cookie:access_token", "subprotocol", "socketio_auth:token")
                : List.of("header", "query:access_token", "cookie:access_token", "subprotocol");
        List<String> tokenFrom = r.strings(m, "token_from", dflt, v -> tokenSourceProblem(v, kind));
        YamlNode list = FileReader.child(m, "token_from");
        if (list != null && list.kind == YamlNode.Kind.LIST && list.items.isEmpty()) {
            r.problem(list, "needs at least one token source");
        }
        String refresh = r.string(m, "refresh_event", null);
        if (refresh != null && kind == Kind.RAW) {
            r.problem(FileReader.child(m, "refresh_event"), "only for kind: json or socketio");
        }
        return new RouteConfig.Auth(required, jwt, tokenFrom, r.duration(m, "auth_timeout", Duration.ofSeconds(5), ONE_MS),
                r.strings(m, "connect_roles", List.of()), r.bool(m, "close_on_expiry", true), refresh,
                r.integer(m, "max_sessions_per_user", 0, 0),
                r.enumValue(m, "on_excess_sessions", RouteConfig.OnExcess.class, RouteConfig.OnExcess.CLOSE_OLDEST));
    }

    static String tokenSourceProblem(String s, Kind kind) {
        if (s.equals("header") || s.equals("subprotocol")) {
            return null;
        }
        int colon = s.indexOf(':');
        String type = colon < 0 ? s : s.substring(0, colon);
        String arg = colon < 0 ? "" : s.substring(colon + 1);
        switch (type) {
            case "query", "cookie", "first_message", "socketio_auth" -> { }
            default -> {
                return "unknown token source \"" + s
                        + "\" (header, query:NAME, cookie:NAME, subprotocol, first_message:PATH, socketio_auth:KEY)";
            }
        }
        if (arg.isBlank()) {
            return "\"" + type + ":\" needs a name, e.g. " + type + ":" + (type.equals("first_message") ? "token" : "access_token");
        }
        if (type.equals("first_message") && kind != Kind.JSON) {
            return "first_message: only on kind: json routes";
        }
        if (type.equals("socketio_auth") && kind != Kind.SOCKETIO) {
            return "socketio_auth: only on kind: socketio routes";
        }
        return null;
    }

    private RouteConfig.Jwt jwt(YamlNode node) {
        YamlNode m = r.section(node, Set.of("algorithms", "jwks_file", "jwks_url", "hmac_secret_env", "issuer", "audience",
                "clock_skew", "user_claim", "roles_claim", "max_token_bytes"));
        if (m == null) {
            return null;
        }
        List<String> algorithms = r.strings(m, "algorithms", List.of(), a -> ALGORITHMS.contains(a) ? null
                : "unsupported algorithm \"" + a + "\" (one of " + String.join(", ", ALGORITHMS.stream().sorted().toList()) + ")");
        YamlNode algList = FileReader.child(m, "algorithms");
        if (algList == null) {
            r.missing(m, "algorithms", "e.g. [RS256]");
        } else if (algList.kind == YamlNode.Kind.LIST && algList.items.isEmpty()) {
            r.problem(algList, "needs at least one algorithm");
        }
        boolean hmac = false;
        boolean asymmetric = false;
        for (String a : algorithms) {
            if (!ALGORITHMS.contains(a)) {
                continue;
            }
            if (a.startsWith("HS")) {
                hmac = true;
            } else {
                asymmetric = true;
            }
        }
        if (hmac && asymmetric) {
            r.problem(algList, "never mix HS* with RS*/PS*/ES*/EdDSA in one route");
        }
        int sources = 0;
        for (String k : List.of("jwks_file", "jwks_url", "hmac_secret_env")) {
            if (FileReader.child(m, k) != null) {
                sources++;
            }
        }
        if (sources != 1) {
            r.problem(m, sources == 0 ? "needs one of jwks_file, jwks_url, hmac_secret_env"
                    : "exactly one of jwks_file, jwks_url, hmac_secret_env");
        }
        Path jwksFile = r.path(m, "jwks_file", true);
        String jwksUrl = r.string(m, "jwks_url", null);
        if (jwksUrl != null && !jwksUrl.startsWith("https://") && !jwksUrl.startsWith("http://")) {
            r.problem(FileReader.child(m, "jwks_url"), "expected an https:// (or http://) URL, got \"" + jwksUrl + "\"");
        }
        String hmacEnv = r.string(m, "hmac_secret_env", null);
        if (hmacEnv != null && asymmetric) {
            r.problem(FileReader.child(m, "hmac_secret_env"), "an HMAC secret only verifies HS256/HS384/HS512");
        }
        if (hmac && hmacEnv == null && sources == 1) {
            r.problem(algList, "HS* algorithms need hmac_secret_env");
        }
        return new RouteConfig.Jwt(algorithms, jwksFile, jwksUrl, hmacEnv, r.string(m, "issuer", null),
                r.string(m, "audience", null), r.duration(m, "clock_skew", Duration.ofSeconds(30), Duration.ZERO),
                nonEmpty(m, "user_claim", "sub"), nonEmpty(m, "roles_claim", "roles"), r.integer(m, "max_token_bytes", 8192, 1));
    }

    private String nonEmpty(YamlNode m, String key, String dflt) {
        String s = r.string(m, key, dflt);
        if (s.isBlank()) {
            r.problem(FileReader.child(m, key), "must not be empty");
            return dflt;
        }
        return s;
    }

    private RouteConfig.Forward forward(YamlNode node, Kind kind) {
        YamlNode m = r.section(node, Set.of("headers", "socketio_auth", "strip_token"));
        YamlNode h = r.section(FileReader.child(m, "headers"), Set.of("user", "roles", "client_ip"));
        RouteConfig.Headers headers = FileReader.has(m, "headers") && h == null && FileReader.child(m, "headers") == null
                ? new RouteConfig.Headers(null, null, null)
                : new RouteConfig.Headers(header(h, "user", "X-User-Id"), header(h, "roles", "X-User-Roles"),
                        header(h, "client_ip", "X-Forwarded-For"));
        RouteConfig.SocketioAuth sio = null;
        YamlNode s = r.section(FileReader.child(m, "socketio_auth"), Set.of("user", "roles"));
        if (kind == Kind.SOCKETIO) {
            sio = new RouteConfig.SocketioAuth(optional(s, "user", "user"), optional(s, "roles", "roles"));
        } else if (s != null) {
            r.problem(s, "only for kind: socketio");
        }
        return new RouteConfig.Forward(headers, sio, r.bool(m, "strip_token", true));
    }

    /** Absent: the default name; an explicit null: not sent. */
    private String header(YamlNode m, String key, String dflt) {
        if (FileReader.has(m, key) && FileReader.child(m, key) == null) {
            return null;
        }
        String name = r.string(m, key, dflt);
        if (!HEADER_NAME.matcher(name).matches()) {
            r.problem(FileReader.child(m, key), "not a valid header name: \"" + name + "\"");
            return dflt;
        }
        return name;
    }

    private String optional(YamlNode m, String key, String dflt) {
        if (FileReader.has(m, key) && FileReader.child(m, key) == null) {
            return null;
        }
        return r.string(m, key, dflt);
    }

    private RouteConfig.RateLimits rateLimits(YamlNode node) {
        YamlNode m = r.section(node, Set.of("per_ip", "per_user", "on_exceed", "notify", "close_after"));
        if (m == null) {
            return null;
        }
        YamlNode ip = r.section(FileReader.child(m, "per_ip"), Set.of("connections", "messages"));
        YamlNode user = r.section(FileReader.child(m, "per_user"), Set.of("messages"));
        RouteConfig.PerIp perIp = ip == null ? null
                : new RouteConfig.PerIp(rate(FileReader.child(ip, "connections"), false), rate(FileReader.child(ip, "messages"), false));
        RouteConfig.PerUser perUser = user == null ? null : new RouteConfig.PerUser(rate(FileReader.child(user, "messages"), false));
        return new RouteConfig.RateLimits(perIp, perUser,
                r.enumValue(m, "on_exceed", RouteConfig.OnExceed.class, RouteConfig.OnExceed.DROP),
                r.bool(m, "notify", true), r.integer(m, "close_after", 50, 1));
    }

    /** {@code { limit, per, burst }}, plus {@code scope} on event rates. */
    private RouteConfig.Rate rate(YamlNode node, boolean withScope) {
        YamlNode m = r.section(node, withScope ? Set.of("limit", "per", "burst", "scope") : Set.of("limit", "per", "burst"));
        if (m == null) {
            return null;
        }
        for (String k : List.of("limit", "per")) {
            if (FileReader.child(m, k) == null) {
                r.missing(m, k, "a rate is { limit: N, per: DURATION }");
            }
        }
        int limit = r.integer(m, "limit", 1, 1);
        return new RouteConfig.Rate(limit, r.duration(m, "per", Duration.ofSeconds(1), ONE_MS), r.integer(m, "burst", limit, 1),
                r.enumValue(m, "scope", RouteConfig.Scope.class, RouteConfig.Scope.CONNECTION));
    }

    private RouteConfig.Events events(YamlNode node) {
        YamlNode m = r.section(node, Set.of("default", "on_deny", "notify", "notify_event", "rules"));
        if (m == null) {
            return null;
        }
        Map<String, RouteConfig.EventRule> rules = new LinkedHashMap<>();
        Map<String, YamlNode> named = r.namedEntries(m, "rules");
        if (named != null) {
            for (Map.Entry<String, YamlNode> e : named.entrySet()) {
                rules.put(e.getKey(), rule(e.getValue()));
            }
        }
        String notifyEvent = nonEmpty(m, "notify_event", "error");
        return new RouteConfig.Events(r.enumValue(m, "default", RouteConfig.DefaultAction.class, RouteConfig.DefaultAction.DENY),
                r.enumValue(m, "on_deny", RouteConfig.OnDeny.class, RouteConfig.OnDeny.DROP), r.bool(m, "notify", true),
                notifyEvent, Collections.unmodifiableMap(rules));
    }

    private RouteConfig.EventRule rule(YamlNode node) {
        if (node.isNull()) {
            return new RouteConfig.EventRule(null, 0, null, null, Map.of(), Map.of());
        }
        YamlNode m = r.section(node, Set.of("roles", "max_bytes", "rate", "schema", "sanitize", "max_length"));
        if (m == null) {
            return new RouteConfig.EventRule(null, 0, null, null, Map.of(), Map.of());
        }
        Map<String, RouteConfig.SanitizeMode> sanitize = new LinkedHashMap<>();
        Map<String, YamlNode> san = r.namedEntries(m, "sanitize");
        if (san != null) {
            YamlNode sanNode = FileReader.child(m, "sanitize");
            san.forEach((field, v) -> {
                if (v.isNull()) {
                    r.problem(v, "expected one of text | basic_html");
                } else {
                    sanitize.put(field, r.enumValue(sanNode, field, RouteConfig.SanitizeMode.class, RouteConfig.SanitizeMode.TEXT));
                }
            });
        }
        Map<String, Integer> maxLength = new LinkedHashMap<>();
        Map<String, YamlNode> len = r.namedEntries(m, "max_length");
        if (len != null) {
            YamlNode lenNode = FileReader.child(m, "max_length");
            len.forEach((field, v) -> {
                if (v.isNull()) {
                    r.problem(v, "expected a positive integer");
                } else {
                    maxLength.put(field, r.integer(lenNode, field, 1, 1));
                }
            });
        }
        List<String> roles = FileReader.child(m, "roles") == null ? null : r.strings(m, "roles", List.of());
        return new RouteConfig.EventRule(roles, r.integer(m, "max_bytes", 0, 0), rate(FileReader.child(m, "rate"), true),
                r.path(m, "schema", true), Collections.unmodifiableMap(sanitize), Collections.unmodifiableMap(maxLength));
    }

    /** Keys used for warnings about absent sections. */
    static List<String> absentSections(RouteConfig c) {
        List<String> out = new ArrayList<>();
        if (c.auth() == null) {
            out.add("auth");
        }
        if (c.rateLimits() == null) {
            out.add("rate_limits");
        }
        if (c.events() == null) {
            out.add("events");
        }
        return out;
    }
}
