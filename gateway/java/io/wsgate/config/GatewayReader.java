package io.wsgate.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/** Maps the tree of {@code gateway.yaml} onto {@link GatewayConfig}, filling the contract's defaults. */
final class GatewayReader {
    private static final Pattern IPV4_CIDR = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})(?:/(\\d{1,2}))?");
    private static final Pattern IPV6_CIDR = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*(?:/(\\d{1,3}))?");

    private final FileReader r;

    GatewayReader(FileReader r) {
        this.r = r;
    }

    GatewayConfig read(YamlNode root) {
        YamlNode top = root == null ? null : r.section(root, Set.of("listen", "admin", "state", "connections", "reload", "audit",
                "shutdown", "access_log", "logging"));
        return new GatewayConfig(listen(FileReader.child(top, "listen")), admin(FileReader.child(top, "admin")),
                state(FileReader.child(top, "state")), connections(FileReader.child(top, "connections")),
                new GatewayConfig.Reload(r.bool(r.section(FileReader.child(top, "reload"), Set.of("watch")), "watch", true)),
                audit(FileReader.child(top, "audit")), shutdown(FileReader.child(top, "shutdown")),
                logTarget(top, "access_log"), logging(FileReader.child(top, "logging")));
    }

    private static final List<String> LEVELS = List.of("trace", "debug", "info", "warn", "error", "off");

    private GatewayConfig.Logging logging(YamlNode node) {
        YamlNode m = r.section(node, Set.of("format", "level"));
        String level = r.string(m, "level", "info");
        if (!LEVELS.contains(level)) {
            r.problem(FileReader.child(m, "level"), "expected one of " + String.join(" | ", LEVELS) + ", got \"" + level + "\"");
            level = "info";
        }
        return new GatewayConfig.Logging(r.enumValue(m, "format", GatewayConfig.LogFormat.class, GatewayConfig.LogFormat.TEXT),
                level);
    }

    /** {@code stdout}, {@code off} or a file path (resolved against the folder). */
    private String logTarget(YamlNode top, String key) {
        String where = r.string(top, key, "stdout");
        if (where.isBlank()) {
            r.problem(FileReader.child(top, key), "expected stdout, off or a file path");
            return "stdout";
        }
        return where.equals("stdout") || where.equals("off") ? where : r.resolve(where).toString();
    }

    private GatewayConfig.Shutdown shutdown(YamlNode node) {
        YamlNode m = r.section(node, Set.of("drain_delay", "drain_timeout"));
        GatewayConfig.Shutdown d = GatewayConfig.Shutdown.DEFAULT;
        return new GatewayConfig.Shutdown(r.duration(m, "drain_delay", d.drainDelay(), Duration.ZERO),
                r.duration(m, "drain_timeout", d.drainTimeout(), Duration.ZERO));
    }

    private GatewayConfig.Listen listen(YamlNode node) {
        YamlNode m = r.section(node, Set.of("host", "port", "tls", "proxy_protocol", "trusted_proxies"));
        GatewayConfig.Tls tls = tls(FileReader.child(m, "tls"));
        List<String> proxies = r.strings(m, "trusted_proxies", List.of(),
                v -> isCidr(v) ? null : "not an IP address or CIDR: " + v);
        return new GatewayConfig.Listen(host(m, "0.0.0.0"), port(m, 8080), tls, r.bool(m, "proxy_protocol", false), proxies);
    }

    private GatewayConfig.Tls tls(YamlNode node) {
        YamlNode t = r.section(node, Set.of("cert_file", "key_file", "min_version", "ciphers", "client_ca_file", "client_auth"));
        if (t == null) {
            return null;
        }
        for (String k : List.of("cert_file", "key_file")) {
            if (FileReader.child(t, k) == null) {
                r.missing(t, k, "tls needs cert_file and key_file");
            }
        }
        String version = r.string(t, "min_version", GatewayConfig.Tls.TLS12);
        if (!GatewayConfig.Tls.VERSIONS.contains(version)) {
            r.problem(FileReader.child(t, "min_version"), "expected " + String.join(" | ", GatewayConfig.Tls.VERSIONS)
                    + ", got \"" + version + "\"");
            version = GatewayConfig.Tls.TLS12;
        }
        List<String> ciphers = r.strings(t, "ciphers", List.of(), GatewayReader::cipherProblem);
        YamlNode cipherNode = FileReader.child(t, "ciphers");
        if (cipherNode != null && cipherNode.kind == YamlNode.Kind.LIST) {
            if (cipherNode.items.isEmpty()) {
                r.problem(cipherNode, "must name at least one cipher suite (leave ciphers out for the JDK's defaults)");
            } else if (GatewayConfig.Tls.TLS13.equals(version) && ciphers.stream().noneMatch(GatewayReader::isTls13Suite)) {
                r.problem(cipherNode, "min_version TLSv1.3 needs a TLS 1.3 suite among the ciphers (e.g. "
                        + "TLS_AES_128_GCM_SHA256); with these no client could connect");
            }
        }
        Path clientCa = r.path(t, "client_ca_file", true);
        GatewayConfig.ClientAuth auth = r.enumValue(t, "client_auth", GatewayConfig.ClientAuth.class,
                GatewayConfig.ClientAuth.NONE);
        if (auth != GatewayConfig.ClientAuth.NONE && FileReader.child(t, "client_ca_file") == null) {
            r.problem(FileReader.child(t, "client_auth"), auth.name().toLowerCase(java.util.Locale.ROOT)
                    + " needs client_ca_file (the CA whose certificates clients present)");
        }
        return new GatewayConfig.Tls(r.path(t, "cert_file", true), r.path(t, "key_file", true), version, ciphers,
                clientCa, auth);
    }

    /** Cipher suite names the JDK's default SSLContext supports (what the listener's engine can enable). */
    private static final class Suites {
        static final Set<String> SUPPORTED = supported();

        private static Set<String> supported() {
            try {
                return Set.of(javax.net.ssl.SSLContext.getDefault().getSupportedSSLParameters().getCipherSuites());
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException("no default SSLContext", e);
            }
        }
    }

    private static String cipherProblem(String name) {
        if (Suites.SUPPORTED.contains(name)) {
            return null;
        }
        return "unknown cipher suite " + name + FileReader.suggestion(name, Suites.SUPPORTED)
                + " (use the JDK's names, e.g. TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 or TLS_AES_128_GCM_SHA256)";
    }

    /** TLS 1.3 suites name no key exchange ({@code TLS_AES_128_GCM_SHA256}); 1.2 and older ones say {@code _WITH_}. */
    static boolean isTls13Suite(String name) {
        return name.startsWith("TLS_") && !name.contains("_WITH_") && !name.endsWith("_SCSV");
    }

    private GatewayConfig.Admin admin(YamlNode node) {
        YamlNode m = r.section(node, Set.of("host", "port", "token_env", "console"));
        return new GatewayConfig.Admin(host(m, "127.0.0.1"), port(m, 9090), r.string(m, "token_env", "WSGATE_ADMIN_TOKEN"),
                r.bool(m, "console", false));
    }

    private GatewayConfig.State state(YamlNode node) {
        YamlNode m = r.section(node, Set.of("store", "redis_url", "on_failure"));
        String url = r.string(m, "redis_url", "redis://127.0.0.1:6379");
        if (!url.startsWith("redis://") && !url.startsWith("rediss://")) {
            r.problem(FileReader.child(m, "redis_url"), "expected a redis:// or rediss:// URL, got \"" + url + "\"");
        }
        return new GatewayConfig.State(r.enumValue(m, "store", GatewayConfig.Store.class, GatewayConfig.Store.MEMORY), url,
                r.enumValue(m, "on_failure", GatewayConfig.OnFailure.class, GatewayConfig.OnFailure.FAIL_OPEN));
    }

    private GatewayConfig.Connections connections(YamlNode node) {
        YamlNode m = r.section(node, Set.of("max_total", "max_per_ip", "handshake_timeout", "idle_timeout", "ping_interval",
                "auth_failures_per_ip"));
        Duration oneMs = Duration.ofMillis(1);
        return new GatewayConfig.Connections(r.integer(m, "max_total", 9000, 1), r.integer(m, "max_per_ip", 200, 1),
                r.duration(m, "handshake_timeout", Duration.ofSeconds(5), oneMs),
                r.duration(m, "idle_timeout", Duration.ofSeconds(120), oneMs),
                r.duration(m, "ping_interval", Duration.ofSeconds(30), Duration.ZERO),
                authFailures(FileReader.child(m, "auth_failures_per_ip")));
    }

    /** {@code { limit: N, per: DURATION }}; absent: the default; {@code limit: 0} (per not needed): off. */
    private GatewayConfig.AuthFailures authFailures(YamlNode node) {
        YamlNode m = r.section(node, Set.of("limit", "per"));
        if (m == null) {
            return GatewayConfig.AuthFailures.DEFAULT;
        }
        GatewayConfig.AuthFailures dflt = GatewayConfig.AuthFailures.DEFAULT;
        if (FileReader.child(m, "limit") == null) {
            r.missing(m, "limit", "{ limit: N, per: DURATION }; limit: 0 turns the meter off");
        }
        int limit = (int) r.integer(m, "limit", dflt.limit(), 0, 1_000_000);
        if (limit > 0 && FileReader.child(m, "per") == null) {
            r.missing(m, "per", "{ limit: N, per: DURATION }");
        }
        return new GatewayConfig.AuthFailures(limit, r.duration(m, "per", dflt.per(), Duration.ofSeconds(1)));
    }

    private GatewayConfig.Audit audit(YamlNode node) {
        YamlNode m = r.section(node, Set.of("denials"));
        String denials = r.string(m, "denials", "stdout");
        if (denials.isBlank()) {
            r.problem(FileReader.child(m, "denials"), "expected stdout, off or a file path");
            denials = "stdout";
        } else if (!denials.equals("stdout") && !denials.equals("off")) {
            Path p = r.resolve(denials);
            denials = p.toString();
        }
        return new GatewayConfig.Audit(denials);
    }

    private String host(YamlNode m, String dflt) {
        String h = r.string(m, "host", dflt);
        if (h.isBlank()) {
            r.problem(FileReader.child(m, "host"), "must not be empty");
            return dflt;
        }
        return h;
    }

    private int port(YamlNode m, int dflt) {
        return (int) r.integer(m, "port", dflt, 0, 65535);
    }

    static boolean isCidr(String s) {
        var v4 = IPV4_CIDR.matcher(s);
        if (v4.matches()) {
            for (int g = 1; g <= 4; g++) {
                if (Integer.parseInt(v4.group(g)) > 255) {
                    return false;
                }
            }
            return v4.group(5) == null || Integer.parseInt(v4.group(5)) <= 32;
        }
        var v6 = IPV6_CIDR.matcher(s);
        return v6.matches() && (v6.group(1) == null || Integer.parseInt(v6.group(1)) <= 128);
    }
}
