package io.wsgate.config;

import io.wsgate.inspect.FieldPath;
import io.wsgate.policy.Policy;
import io.wsgate.policy.RoutePolicy;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * Reads {@code DIR/gateway.yaml} and every other {@code DIR/*.yaml} as a route, strictly (unknown keys are
 * errors), substitutes {@code ${VAR}} / {@code ${VAR:-default}}, resolves relative paths, fills defaults,
 * compiles every route, and reports every problem as {@code file:line: key: problem}.
 */
public final class PolicyLoader {
    public static final String GATEWAY_FILE = "gateway.yaml";
    /** A policy file is a few KB; anything this big is a mistake, not a policy. */
    static final long MAX_FILE_BYTES = 1 << 20;

    private static final ObjectMapper JSON = JsonMapper.builder().build();

    private final Function<String, String> env;
    private final Function<RouteConfig, RoutePolicy> compiler;
    /** {@code jwks_url} → null when it answers a JWK set, else the problem; null: URLs are not fetched. */
    private final Function<String, String> jwksFetcher;
    private volatile List<ConfigProblem> warnings = List.of();

    /** Substitutes variables from the process environment. */
    public PolicyLoader() {
        this(System::getenv);
    }

    /**
     * Substitutes variables, and reads {@code hmac_secret_env}, from {@code env} (returns null for an unset
     * variable); for tests and embedding.
     */
    public PolicyLoader(Function<String, String> env) {
        this(env, config -> RoutePolicy.compile(config, env));
    }

    /** With a stand-in for {@link RoutePolicy#compile}, so tests can make a compiler fail. */
    PolicyLoader(Function<String, String> env, Function<RouteConfig, RoutePolicy> compiler) {
        this(env, compiler, null);
    }

    PolicyLoader(Function<String, String> env, Function<RouteConfig, RoutePolicy> compiler,
                 Function<String, String> jwksFetcher) {
        this.env = Objects.requireNonNull(env, "env");
        this.compiler = Objects.requireNonNull(compiler, "compiler");
        this.jwksFetcher = jwksFetcher;
    }

    /**
     * The loader of {@code wsgate check}: routes compile without the background fetch of their {@code jwks_url}
     * (nothing is served); instead, unless {@code offline}, each URL is fetched once, with a short timeout, and one
     * that does not answer a JWK set is an error.
     */
    public static PolicyLoader forCheck(Function<String, String> env, boolean offline) {
        return new PolicyLoader(env, config -> RoutePolicy.compile(config, env, false),
                offline ? null : JwksChecks::fetchProblem);
    }

    /** Builds a whole new snapshot or throws with every problem found; never a partial policy. */
    public Policy load(Path dir, long version) throws PolicyException {
        List<ConfigProblem> problems = new ArrayList<>();
        List<ConfigProblem> newWarnings = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            throw new PolicyException(List.of(new ConfigProblem(dir.toString(), 0, "", "not a directory")));
        }
        Path base = dir.toAbsolutePath().normalize();

        GatewayConfig gateway = null;
        Path gatewayFile = base.resolve(GATEWAY_FILE);
        if (Files.isRegularFile(gatewayFile)) {
            FileReader r = new FileReader(GATEWAY_FILE, base, env, problems);
            int before = problems.size();
            YamlNode root = parse(gatewayFile, r);
            if (root != null || problems.size() == before) {
                gateway = new GatewayReader(r).read(root);
                gatewayWarnings(gateway, root, newWarnings);
            }
        } else {
            problems.add(new ConfigProblem(GATEWAY_FILE, 0, "", "missing: every policy directory needs a gateway.yaml"));
        }

        misnamedFiles(base, newWarnings);

        List<RouteConfig> configs = new ArrayList<>();
        Map<String, Map<String, Integer>> linesByFile = new HashMap<>();
        Map<String, RouteConfig> byPath = new HashMap<>();
        for (Path file : routeFiles(base, problems)) {
            String name = file.getFileName().toString();
            FileReader r = new FileReader(name, base, env, problems);
            int before = problems.size();
            YamlNode root = parse(file, r);
            if (root == null && problems.size() > before) {
                continue;
            }
            Map<String, Integer> lines = new HashMap<>();
            YamlTree.collectLines(root, lines);
            linesByFile.put(name, lines);
            RouteConfig config = new RouteReader(r).read(root);
            if (config == null) {
                continue;
            }
            RouteConfig other = byPath.putIfAbsent(config.route().path(), config);
            if (other != null) {
                problems.add(new ConfigProblem(name, lines.getOrDefault("route.path", 0), "route.path",
                        "duplicate route path " + config.route().path() + " (also in " + other.sourceFile() + ")"));
            }
            for (String section : RouteReader.absentSections(config)) {
                newWarnings.add(new ConfigProblem(name, lines.getOrDefault("route", 1), section, absentWarning(section)));
            }
            if (problems.size() == before) {
                configs.add(config);
            }
        }

        // Compilers run only on routes that read cleanly, so they never see half-defaulted settings.
        List<RoutePolicy> routes = new ArrayList<>();
        Map<String, String> fetched = new HashMap<>();
        for (RouteConfig config : configs) {
            Map<String, Integer> lines = linesByFile.get(config.sourceFile());
            try {
                routes.add(compiler.apply(config));
                keyChecks(config, lines, base, problems, newWarnings, fetched);
                fieldPathChecks(config, lines, base, problems, newWarnings);
            } catch (InvalidSettingException e) {
                String key = e.keyPath() == null ? "" : e.keyPath();
                problems.add(new ConfigProblem(config.sourceFile(), lineOf(lines, key), key, e.getMessage()));
            } catch (RuntimeException e) {
                problems.add(new ConfigProblem(config.sourceFile(), lineOf(lines, "route"), "route",
                        "cannot compile the route: " + e));
            }
        }
        if (!problems.isEmpty()) {
            problems.sort(BY_FILE_THEN_LINE);
            throw new PolicyException(problems);
        }
        newWarnings.sort(BY_FILE_THEN_LINE);
        warnings = List.copyOf(newWarnings);
        return new Policy(version, gateway, routes);
    }

    /** gateway.yaml first (it is read first), then the other files by name; within a file by line (stable). */
    static final Comparator<ConfigProblem> BY_FILE_THEN_LINE = Comparator
            .comparing((ConfigProblem p) -> !GATEWAY_FILE.equals(p.file()))
            .thenComparing(ConfigProblem::file)
            .thenComparingInt(ConfigProblem::line);

    /** Settings that load but cannot be what was meant. */
    private static void gatewayWarnings(GatewayConfig gateway, YamlNode root, List<ConfigProblem> warnings) {
        GatewayConfig.Listen listen = gateway == null ? null : gateway.listen();
        if (listen != null && listen.proxyProtocol()
                && (listen.trustedProxies() == null || listen.trustedProxies().isEmpty())) {
            Map<String, Integer> lines = new HashMap<>();
            YamlTree.collectLines(root, lines);
            warnings.add(new ConfigProblem(GATEWAY_FILE, lineOf(lines, "listen.proxy_protocol"),
                    "listen.proxy_protocol", "true with empty trusted_proxies: every connection will be refused "
                    + "(list the balancer's addresses in listen.trusted_proxies)"));
        }
        GatewayConfig.Tls tls = listen == null ? null : listen.tls();
        if (tls != null && tls.clientCaFile() != null && tls.clientAuth() == GatewayConfig.ClientAuth.NONE) {
            Map<String, Integer> lines = new HashMap<>();
            YamlTree.collectLines(root, lines);
            warnings.add(new ConfigProblem(GATEWAY_FILE, lineOf(lines, "listen.tls.client_ca_file"),
                    "listen.tls.client_ca_file", "unused while client_auth is none: clients are not asked for a "
                    + "certificate (set client_auth: require or optional)"));
        }
    }

    /** The published development key in a {@code jwks_file} (a warning); a {@code jwks_url} that answers no JWK set. */
    private void keyChecks(RouteConfig config, Map<String, Integer> lines, Path base, List<ConfigProblem> problems,
                           List<ConfigProblem> warnings, Map<String, String> fetched) {
        RouteConfig.Jwt jwt = config.auth() == null ? null : config.auth().jwt();
        if (jwt == null) {
            return;
        }
        if (jwt.jwksFile() != null && JwksChecks.holdsDevKey(jwt.jwksFile())) {
            String key = "auth.jwt.jwks_file";
            warnings.add(new ConfigProblem(config.sourceFile(), lineOf(lines, key), key, shown(base, jwt.jwksFile())
                    + " holds the published development key (kid " + JwksChecks.DEV_KID + "): anyone can sign tokens "
                    + "this route accepts; use your identity provider's keys outside development"));
        }
        if (jwt.jwksUrl() != null && jwksFetcher != null) {
            if (!fetched.containsKey(jwt.jwksUrl())) {
                fetched.put(jwt.jwksUrl(), jwksFetcher.apply(jwt.jwksUrl()));
            }
            String problem = fetched.get(jwt.jwksUrl());
            if (problem != null) {
                String key = "auth.jwt.jwks_url";
                problems.add(new ConfigProblem(config.sourceFile(), lineOf(lines, key), key,
                        problem + " (check --offline skips this fetch)"));
            }
        }
    }

    /**
     * Every {@code sanitize} / {@code max_length} field path against its rule's schema: a path the schema cannot
     * hold is an error (the protection would silently apply to nothing), one it holds only through an open
     * {@code additionalProperties} a warning, and one on a rule without a schema a warning that it is unchecked.
     */
    private static void fieldPathChecks(RouteConfig config, Map<String, Integer> lines, Path base,
                                        List<ConfigProblem> problems, List<ConfigProblem> warnings) {
        if (config.events() == null || config.events().rules() == null) {
            return;
        }
        Map<Path, SchemaPaths> schemas = new HashMap<>();
        for (Map.Entry<String, RouteConfig.EventRule> e : config.events().rules().entrySet()) {
            RouteConfig.EventRule rule = e.getValue();
            if (rule == null) {
                continue;
            }
            String prefix = "events.rules." + e.getKey();
            Map<String, String> paths = new LinkedHashMap<>();
            if (rule.sanitize() != null) {
                rule.sanitize().keySet().forEach(p -> paths.put(prefix + ".sanitize." + p, p));
            }
            if (rule.maxLength() != null) {
                rule.maxLength().keySet().forEach(p -> paths.put(prefix + ".max_length." + p, p));
            }
            if (paths.isEmpty()) {
                continue;
            }
            SchemaPaths schema = null;
            if (rule.schema() != null) {
                schema = schemas.computeIfAbsent(rule.schema(), PolicyLoader::readSchema);
                if (schema == null) {
                    continue; // unreadable: the compiler has said why
                }
            }
            for (Map.Entry<String, String> p : paths.entrySet()) {
                String key = p.getKey();
                boolean sanitize = key.startsWith(prefix + ".sanitize.");
                int line = lineOf(lines, key);
                if (schema == null) {
                    warnings.add(new ConfigProblem(config.sourceFile(), line, key, "the rule has no schema, so nothing "
                            + "checks this path: a misspelt field leaves the real one " + (sanitize ? "unsanitized" : "unlimited")));
                    continue;
                }
                SchemaPaths.Verdict v = schema.check(FieldPath.parse(p.getValue()));
                String file = shown(base, rule.schema());
                if (v.kind() == SchemaPaths.Kind.FORBIDDEN) {
                    problems.add(new ConfigProblem(config.sourceFile(), line, key, "not a path " + file + " allows: "
                            + v.reason()));
                } else if (v.kind() == SchemaPaths.Kind.UNDECLARED) {
                    warnings.add(new ConfigProblem(config.sourceFile(), line, key, file + " " + v.reason()
                            + "; the path passes only because the schema allows other keys "
                            + "(additionalProperties: false would make a misspelling an error)"));
                }
            }
        }
    }

    private static SchemaPaths readSchema(Path file) {
        try {
            if (Files.size(file) > MAX_FILE_BYTES) {
                return null;
            }
            JsonNode node = JSON.readTree(Files.readAllBytes(file));
            return node == null || !(node.isObject() || node.isBoolean()) ? null : new SchemaPaths(node);
        } catch (IOException | JacksonException e) {
            return null;
        }
    }

    /** A file under the policy folder as a relative path, any other as it is. */
    private static String shown(Path base, Path file) {
        Path f = file.toAbsolutePath().normalize();
        return f.startsWith(base) ? base.relativize(f).toString() : f.toString();
    }

    /** {@code *.yml} files are not read: a route file that silently does nothing is a trap. */
    private static void misnamedFiles(Path dir, List<ConfigProblem> warnings) {
        try (Stream<Path> s = Files.list(dir)) {
            s.filter(p -> p.getFileName().toString().endsWith(".yml")).filter(Files::isRegularFile).sorted()
                    .forEach(p -> {
                        String name = p.getFileName().toString();
                        String yaml = name.substring(0, name.length() - ".yml".length()) + ".yaml";
                        warnings.add(new ConfigProblem(name, 0, "", "ignored: policy files must end in .yaml (rename it to "
                                + yaml + ")"));
                    });
        } catch (IOException e) {
            // routeFiles reports an unlistable directory
        }
    }

    /** Warnings of the last successful load (route without auth, events or rate_limits). */
    public List<ConfigProblem> warnings() {
        return warnings;
    }

    private static String absentWarning(String section) {
        return switch (section) {
            case "auth" -> "no auth section: the route is public";
            case "rate_limits" -> "no rate_limits section: the route has no rate limits";
            default -> "no events section: every event is allowed";
        };
    }

    /** The line of {@code key}, else of its nearest written parent ({@code a.b[2].c} → {@code a.b[2]} → {@code a.b} → {@code a}). */
    static int lineOf(Map<String, Integer> lines, String key) {
        String k = key;
        while (!k.isEmpty()) {
            Integer line = lines.get(k);
            if (line != null) {
                return line;
            }
            int cut = Math.max(k.lastIndexOf('.'), k.lastIndexOf('['));
            k = cut < 0 ? "" : k.substring(0, cut);
        }
        return lines.getOrDefault("route", 0);
    }

    private static List<Path> routeFiles(Path dir, List<ConfigProblem> problems) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".yaml"))
                    .filter(p -> !p.getFileName().toString().equals(GATEWAY_FILE))
                    .filter(Files::isRegularFile)
                    .sorted()
                    .toList();
        } catch (IOException e) {
            problems.add(new ConfigProblem(dir.toString(), 0, "", "cannot list the directory: " + e.getMessage()));
            return List.of();
        }
    }

    private static YamlNode parse(Path file, FileReader r) {
        String text;
        try {
            if (Files.size(file) > MAX_FILE_BYTES) {
                r.problem(0, "", "larger than " + MAX_FILE_BYTES + " bytes");
                return null;
            }
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(Files.readAllBytes(file)))
                    .toString();
        } catch (CharacterCodingException e) {
            r.problem(0, "", "not valid UTF-8");
            return null;
        } catch (IOException e) {
            r.problem(0, "", "cannot read: " + e.getMessage());
            return null;
        }
        return YamlTree.parse(text, r::problem, (line, message) -> r.problem(line, "", message));
    }
}
