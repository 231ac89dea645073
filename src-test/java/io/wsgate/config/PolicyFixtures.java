package io.wsgate.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Writes YAML fixtures into a temp folder and loads them with a fixed environment. */
final class PolicyFixtures {
    static final String GATEWAY = "listen: { port: 8080 }\n";
    static final String MINIMAL_ROUTE = """
            route:
              path: /chat
              upstream:
                targets: [ws://127.0.0.1:9000/chat]
            """;

    private PolicyFixtures() {
    }

    static Path write(Path dir, String name, String text) {
        try {
            Path p = dir.resolve(name);
            Files.createDirectories(p.getParent());
            Files.writeString(p, text);
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Path jwks(Path dir, String name) {
        try (var in = PolicyFixtures.class.getResourceAsStream("/config/test-jwks.json")) {
            Path p = dir.resolve(name);
            Files.createDirectories(p.getParent());
            Files.write(p, in.readAllBytes());
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static PolicyLoader loader(Map<String, String> env) {
        return new PolicyLoader(env::get);
    }

    /** Every problem of a load that must fail, as {@code file:line: key}. */
    static List<String> problemKeys(Path dir, Map<String, String> env) {
        try {
            loader(env).load(dir, 1);
        } catch (PolicyException e) {
            return e.problems().stream().map(p -> p.file() + ":" + p.line() + ": " + p.key()).toList();
        }
        throw new AssertionError("expected the load of " + dir + " to fail");
    }

    static List<ConfigProblem> problems(Path dir, Map<String, String> env) {
        try {
            loader(env).load(dir, 1);
        } catch (PolicyException e) {
            return e.problems();
        }
        throw new AssertionError("expected the load of " + dir + " to fail");
    }
}
