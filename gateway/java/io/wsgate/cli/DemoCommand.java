package io.wsgate.cli;

import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import io.wsgate.demo.DemoUpstream;
import io.wsgate.policy.RoutePolicy;
import io.wsgate.server.Gateway;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.stream.Stream;

@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Self-contained demo: a built-in chat/echo upstream on 127.0.0.1:9000 plus the gateway on the "
                + "shipped policies, signed by an ephemeral key; prints the URLs and ready-to-use tokens.")
public final class DemoCommand implements Callable<Integer> {
    static final String ADMIN_TOKEN_ENV = "WSGATE_ADMIN_TOKEN";

    @Option(names = "--policies", defaultValue = "policies", description = "policy directory (default: ${DEFAULT-VALUE})")
    Path policies;

    @Option(names = "--upstream-port", defaultValue = "9000", description = "demo upstream port (default: ${DEFAULT-VALUE})")
    int upstreamPort;

    @Override
    public Integer call() throws Exception {
        if (!Files.isRegularFile(policies.resolve("gateway.yaml"))) {
            System.err.println("wsgate demo: no " + policies.resolve("gateway.yaml")
                    + " (run it from the project folder, or pass --policies DIR)");
            return 1;
        }
        Demo demo = Demo.prepare(policies);
        DemoUpstream upstream = new DemoUpstream("127.0.0.1", upstreamPort).start();
        Gateway gateway;
        try {
            gateway = Gateway.startOrReport(demo.dir, demo.env());
        } catch (java.net.BindException e) {
            System.err.println("wsgate demo: cannot listen: " + e.getMessage()
                    + " (is another gateway or demo running on the ports in " + policies.resolve("gateway.yaml") + "?)");
            gateway = null;
        }
        if (gateway == null) {
            upstream.close();
            demo.delete();
            return 1;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            upstream.close();
            demo.delete();
        }, "wsgate-demo-upstream"));
        System.out.println(demo.banner(gateway, upstream.port()));
        System.out.flush();
        gateway.serveUntilSignal();
        return 0;
    }

    /** A copy of the policy folder whose JWKS is replaced by an ephemeral key, plus tokens signed by it. */
    static final class Demo {
        final Path dir;
        final RSAKey key;
        final String adminToken;

        private Demo(Path dir, RSAKey key, String adminToken) {
            this.dir = dir;
            this.key = key;
            this.adminToken = adminToken;
        }

        static Demo prepare(Path policies) throws Exception {
            Path dir = Files.createTempDirectory("wsgate-demo-");
            copyTree(policies, dir);
            RSAKey key = new RSAKeyGenerator(2048).keyID("demo-" + UUID.randomUUID()).generate();
            Files.createDirectories(dir.resolve("keys"));
            Files.writeString(dir.resolve("keys/dev-jwks.json"), new JWKSet(key.toPublicJWK()).toString());
            Files.deleteIfExists(dir.resolve("keys/dev-private-jwk.json"));
            byte[] random = new byte[24];
            new SecureRandom().nextBytes(random);
            return new Demo(dir, key, HexFormat.of().formatHex(random));
        }

        /** The process environment, plus the demo's admin token unless one is already set. */
        Function<String, String> env() {
            return name -> {
                String v = System.getenv(name);
                return v == null && ADMIN_TOKEN_ENV.equals(name) ? adminToken : v;
            };
        }

        String token(String sub, List<String> roles) throws Exception {
            return TokenCommand.mint(key, sub, roles, Duration.ofHours(1), "wsgate-dev", "chat", null, Instant.now());
        }

        String banner(Gateway gateway, int upstreamPort) throws Exception {
            String user = token("alice", List.of("user"));
            String admin = token("root", List.of("admin", "user"));
            String adminApiToken = env().apply(ADMIN_TOKEN_ENV);
            StringBuilder b = new StringBuilder();
            b.append("wsgate demo\n");
            b.append("  upstream (built in): ws://127.0.0.1:").append(upstreamPort).append(" (/chat, /echo)\n");
            String builtIn = "ws://127.0.0.1:" + upstreamPort + "/";
            for (RoutePolicy r : gateway.policies().get().routes()) {
                b.append("  route:               ws://127.0.0.1:").append(gateway.port()).append(r.path())
                        .append("  (").append(r.config().protocol().kind().name().toLowerCase());
                List<String> targets = r.config().route().upstream().targets();
                if (targets.stream().noneMatch(t -> t.startsWith(builtIn))) {
                    b.append("; upstream ").append(String.join(", ", targets)).append(" is not started by the demo");
                }
                b.append(")\n");
            }
            b.append("  admin API:           http://127.0.0.1:").append(gateway.adminPort()).append('\n');
            b.append("\nTokens (1 h, issuer wsgate-dev, audience chat, signed by a key made for this run):\n");
            b.append("  user  (alice, roles user):        ").append(user).append('\n');
            b.append("  admin (root, roles admin,user):   ").append(admin).append('\n');
            b.append("  admin API bearer token:           ").append(adminApiToken).append('\n');
            b.append("\nFor the README's examples, in another shell:\n");
            b.append("  export USER_TOKEN=").append(user).append(" ADMIN_TOKEN=").append(admin)
                    .append(" ADMIN_API_TOKEN=").append(adminApiToken).append('\n');
            b.append("\nTry it:\n");
            b.append("  npx wscat -c 'ws://127.0.0.1:").append(gateway.port()).append("/chat?access_token=")
                    .append(user).append("'\n");
            b.append("    > {\"type\":\"join-room\",\"room\":\"lobby\"}\n");
            b.append("    > {\"type\":\"send-message\",\"room\":\"lobby\",\"message\":\"<b>hi</b> there\"}\n");
            b.append("    > {\"type\":\"admin-kick\",\"user\":\"bob\"}      (refused: forbidden)\n");
            b.append("  curl -s -H 'Authorization: Bearer ").append(adminApiToken).append("' -X POST -d '{\"sub\":\"alice\"}' http://127.0.0.1:")
                    .append(gateway.adminPort()).append("/admin/revoke   (closes alice's sockets with 4401)\n");
            return b.toString();
        }

        void delete() {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            } catch (IOException ignored) {
                // a temp folder left behind is harmless
            }
        }

        private static void copyTree(Path from, Path to) throws IOException {
            try (Stream<Path> files = Files.walk(from)) {
                for (Path f : (Iterable<Path>) files::iterator) {
                    Path target = to.resolve(from.relativize(f).toString());
                    if (Files.isDirectory(f)) {
                        Files.createDirectories(target);
                    } else {
                        Files.copy(f, target);
                    }
                }
            }
        }
    }
}
