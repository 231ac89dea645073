package io.wsgate.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes a policy directory for end-to-end tests: a gateway.yaml on ephemeral ports plus route files. */
public final class PolicyDir {
    private final Path dir;

    private PolicyDir(Path dir) {
        this.dir = dir;
    }

    /** gateway.yaml listening on 127.0.0.1:0 with the admin API on 127.0.0.1:0, audit off, no file watching. */
    public static PolicyDir in(Path dir) {
        return in(dir, "");
    }

    /**
     * As {@link #in(Path)} with extra top-level gateway.yaml text appended (e.g. a {@code connections:} block);
     * text starting with {@code listen:}, or an {@code audit:}, {@code access_log:} or {@code admin:} section in it,
     * replaces the default one.
     */
    public static PolicyDir in(Path dir, String extraGatewayYaml) {
        PolicyDir p = new PolicyDir(dir);
        String base = """
                listen: { host: 127.0.0.1, port: 0 }
                admin: { host: 127.0.0.1, port: 0, token_env: WSGATE_ADMIN_TOKEN }
                reload: { watch: false }
                audit: { denials: "off" }
                access_log: "off"
                """;
        if (extraGatewayYaml.contains("audit:")) {
            base = base.replace("audit: { denials: \"off\" }\n", "");
        }
        if (extraGatewayYaml.contains("access_log:")) {
            base = base.replace("access_log: \"off\"\n", "");
        }
        if (extraGatewayYaml.startsWith("admin:") || extraGatewayYaml.contains("\nadmin:")) { // a test's own admin section
            base = base.replace("admin: { host: 127.0.0.1, port: 0, token_env: WSGATE_ADMIN_TOKEN }\n", "");
        }
        if (extraGatewayYaml.startsWith("listen:")) {
            base = base.replace("listen: { host: 127.0.0.1, port: 0 }\n", "");
        }
        p.write("gateway.yaml", base + extraGatewayYaml);
        return p;
    }

    public PolicyDir write(String name, String text) {
        try {
            Path f = dir.resolve(name);
            Files.createDirectories(f.getParent());
            Files.writeString(f, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    public Path path() {
        return dir;
    }
}
