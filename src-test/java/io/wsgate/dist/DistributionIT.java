package io.wsgate.dist;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The distribution archive that {@code ./mvnw package} builds ({@code bin/dist/assembly.xml}), unpacked as an
 * operator would ({@code tar xzf}): its layout and file modes, and {@code bin/wsgate} run from the unpacked copy.
 * A failsafe test (integration-test phase), since the archive exists only after {@code package}.
 */
class DistributionIT {
    static final Path PROJECT = Path.of(System.getProperty("wsgate.projectDir", "."));
    static final String VERSION = System.getProperty("wsgate.version", "0.1.0-SNAPSHOT");
    static final Path ARCHIVE = PROJECT.resolve("target/wsgate-" + VERSION + ".tar.gz");
    static final String BASE = "wsgate-" + VERSION;

    @TempDir
    static Path unpacked;
    static Path home;

    @BeforeAll
    static void unpack() throws Exception {
        assertThat(ARCHIVE).as("built by ./mvnw package").isRegularFile();
        Result r = exec(unpacked, Map.of(), "tar", "xzf", ARCHIVE.toString());
        assertThat(r.code).as(r.output).isZero();
        home = unpacked.resolve(BASE);
    }

    /** Path inside the archive → mode string as {@code tar tv} prints it ({@code -rwxr-xr-x}, {@code drwxr-xr-x}). */
    static Map<String, String> listing() throws Exception {
        Result r = exec(unpacked, Map.of(), "tar", "tvzf", ARCHIVE.toString());
        assertThat(r.code).as(r.output).isZero();
        Map<String, String> modes = new TreeMap<>();
        for (String line : r.output.lines().toList()) {
            String[] f = line.trim().split("\\s+");
            modes.put(f[f.length - 1].replaceAll("/$", ""), f[0]);
        }
        return modes;
    }

    @Test
    void layoutAndModes() throws Exception {
        Map<String, String> modes = listing();
        assertThat(modes.keySet()).allMatch(p -> p.startsWith(BASE + "/"), "everything under " + BASE + "/");
        assertThat(modes).containsEntry(BASE + "/bin/wsgate", "-rwxr-xr-x")
                .containsEntry(BASE + "/lib/wsgate.jar", "-rw-r--r--")
                .containsEntry(BASE + "/systemd/wsgate.service", "-rw-r--r--")
                .containsEntry(BASE + "/README.md", "-rw-r--r--");
        try (Stream<Path> top = Files.list(home)) {
            assertThat(top.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder("bin", "lib", "policies", "systemd", "README.md");
        }
        assertThat(Files.isExecutable(home.resolve("bin/wsgate"))).isTrue();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(home.resolve("bin/wsgate"))))
                .isEqualTo("rwxr-xr-x");
        assertThat(Files.mismatch(home.resolve("lib/wsgate.jar"), PROJECT.resolve("target/wsgate.jar"))).isEqualTo(-1);
        assertThat(Files.mismatch(home.resolve("README.md"), PROJECT.resolve("README.md"))).isEqualTo(-1);
        assertThat(Files.mismatch(home.resolve("systemd/wsgate.service"), PROJECT.resolve("bin/dist/wsgate.service")))
                .isEqualTo(-1);
    }

    /** policies/ is the repository's folder as is: the same files (schema/, keys/, schemas/ included), same bytes. */
    @Test
    void policiesAreTheShippedOnes() throws Exception {
        Path repo = PROJECT.resolve("policies");
        Path shipped = home.resolve("policies");
        List<String> expected = files(repo);
        assertThat(expected).contains("gateway.yaml", "schema/route.schema.json", "keys/dev-jwks.json",
                "schemas/send-message.json");
        assertThat(files(shipped)).containsExactlyElementsOf(expected);
        for (String f : expected) {
            assertThat(Files.mismatch(repo.resolve(f), shipped.resolve(f))).as(f).isEqualTo(-1);
        }
        Map<String, String> modes = listing();
        for (String f : expected) {
            assertThat(modes.get(BASE + "/policies/" + f)).as(f).isEqualTo("-rw-r--r--");
        }
    }

    static List<String> files(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).map(p -> dir.relativize(p).toString()).sorted().toList();
        }
    }

    @Test
    void systemdUnit() throws Exception {
        List<String> lines = Files.readAllLines(home.resolve("systemd/wsgate.service")).stream()
                .map(String::trim).filter(l -> !l.startsWith("#") && !l.isEmpty()).toList();
        assertThat(lines).contains(
                "ExecStart=/opt/wsgate/bin/wsgate run /etc/wsgate",
                "ExecReload=/bin/kill -HUP $MAINPID",
                "KillSignal=SIGTERM",
                "Restart=on-failure",
                "EnvironmentFile=-/etc/wsgate/env",
                "NoNewPrivileges=yes",
                "ProtectSystem=strict",
                "ProtectHome=yes",
                "PrivateTmp=yes",
                "DynamicUser=yes",
                "RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX",
                "CapabilityBoundingSet=",
                "SuccessExitStatus=143");
        assertThat(lines).noneMatch(l -> l.startsWith("AmbientCapabilities="));
        int nofile = Integer.parseInt(value(lines, "LimitNOFILE"));
        assertThat(nofile).isGreaterThanOrEqualTo(65536);
        // systemd must not SIGKILL a drain: longer than the shipped drain_delay + drain_timeout.
        String gateway = Files.readString(home.resolve("policies/gateway.yaml"));
        long drain = seconds(yaml(gateway, "drain_delay")) + seconds(yaml(gateway, "drain_timeout"));
        assertThat(seconds(value(lines, "TimeoutStopSec"))).isGreaterThan(drain);
    }

    static String value(List<String> lines, String key) {
        return lines.stream().filter(l -> l.startsWith(key + "=")).map(l -> l.substring(key.length() + 1))
                .findFirst().orElseThrow(() -> new AssertionError("no " + key + "= line"));
    }

    static String yaml(String text, String key) {
        Matcher m = Pattern.compile("(?m)^\\s*" + key + ":\\s*(\\S+)").matcher(text);
        assertThat(m.find()).as(key + " in gateway.yaml").isTrue();
        return m.group(1);
    }

    static long seconds(String d) {
        Matcher m = Pattern.compile("(\\d+)(ms|s|m)").matcher(d);
        assertThat(m.matches()).as(d).isTrue();
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> (n + 999) / 1000;
            case "m" -> n * 60;
            default -> n;
        };
    }

    @Test
    void versionFromTheUnpackedCopy() throws Exception {
        Result r = exec(home, javaHome(), "bin/wsgate", "--version");
        assertThat(r.code).as(r.output).isZero();
        assertThat(r.output).startsWith("wsgate " + VERSION + " ");
    }

    /** The README's first step after unpacking: the shipped policies pass check, run from the unpacked folder. */
    @Test
    void checkPoliciesFromTheUnpackedCopy() throws Exception {
        Result r = exec(home, javaHome(), "bin/wsgate", "check", "policies");
        assertThat(r.code).as(r.output).isZero();
        assertThat(r.output).contains("policies: ok, ");
    }

    /** Through a symlink elsewhere (/usr/local/bin/wsgate -> /opt/wsgate/bin/wsgate) and from another folder. */
    @Test
    void launcherFollowsSymlinks() throws Exception {
        Path links = Files.createDirectories(unpacked.resolve("usr-local-bin"));
        Files.createSymbolicLink(links.resolve("wsgate"), home.resolve("bin/wsgate"));
        Result r = exec(links, javaHome(), "./wsgate", "check", home.resolve("policies").toString());
        assertThat(r.code).as(r.output).isZero();
        assertThat(r.output).contains("policies: ok, ");
    }

    @Test
    void javaFromPathWhenJavaHomeIsUnset() throws Exception {
        Path fakeBin = Files.createDirectories(unpacked.resolve("path-bin"));
        Path java = fakeBin.resolve("java");
        if (!Files.exists(java)) {
            Files.createSymbolicLink(java, Path.of(System.getProperty("java.home"), "bin", "java"));
        }
        Map<String, String> env = Map.of("PATH", fakeBin + ":/usr/bin:/bin");
        Result r = exec(home, env, "bin/wsgate", "--version");
        assertThat(r.code).as(r.output).isZero();
        assertThat(r.output).startsWith("wsgate " + VERSION + " ");
    }

    @Test
    void badJavaHomeIsNamed() throws Exception {
        Result r = exec(home, Map.of("JAVA_HOME", "/nonexistent-jdk"), "bin/wsgate", "--version");
        assertThat(r.code).isEqualTo(1);
        assertThat(r.output).contains("JAVA_HOME is /nonexistent-jdk").contains("/nonexistent-jdk/bin/java");
    }

    /**
     * {@code run}: the launcher execs the JVM (the started process is java, with WSGATE_JAVA_OPTS on its
     * command line), so SIGHUP reloads and SIGTERM drains and exits 143 (128 + 15; the unit's SuccessExitStatus).
     */
    @Test
    void runExecsTheJvmSoSignalsReachIt() throws Exception {
        Path dir = Files.createDirectories(unpacked.resolve("run-policies"));
        Files.writeString(dir.resolve("gateway.yaml"), """
                listen: { host: 127.0.0.1, port: 0 }
                admin: { host: 127.0.0.1, port: 0 }
                reload: { watch: false }
                shutdown: { drain_delay: 0s, drain_timeout: 1s }
                """);
        Map<String, String> env = new java.util.HashMap<>(javaHome());
        env.put("WSGATE_JAVA_OPTS", "-Xmx128m -Dwsgate.it.marker=launcher");
        ProcessBuilder pb = new ProcessBuilder("bin/wsgate", "run", dir.toString()).directory(home.toFile())
                .redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        List<String> out = new CopyOnWriteArrayList<>();
        Thread reader = drain(p, out);
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> out.stream().anyMatch(l -> l.startsWith("wsgate serving")));
            ProcessHandle.Info info = p.toHandle().info();
            assertThat(info.command()).hasValueSatisfying(c -> assertThat(Path.of(c).getFileName().toString()).isEqualTo("java"));
            assertThat(info.arguments()).hasValueSatisfying(a -> assertThat(a).contains("-Xmx128m",
                    "-Dwsgate.it.marker=launcher", "-jar", home.resolve("lib/wsgate.jar").toString()));

            Result hup = exec(home, Map.of(), "kill", "-HUP", Long.toString(p.pid()));
            assertThat(hup.code).as(hup.output).isZero();
            await().atMost(Duration.ofSeconds(10)).until(() -> out.stream().anyMatch(l -> l.contains("policy version 2")));
            assertThat(p.isAlive()).isTrue();

            p.destroy();   // SIGTERM
            assertThat(p.waitFor(20, TimeUnit.SECONDS)).as(String.join("\n", out)).isTrue();
            assertThat(p.exitValue()).as(String.join("\n", out)).isEqualTo(143);
        } finally {
            p.destroyForcibly();
            reader.join(5000);
        }
    }

    static Map<String, String> javaHome() {
        return Map.of("JAVA_HOME", System.getProperty("java.home"));
    }

    record Result(int code, String output) {}

    /** Runs a command in dir without JAVA_HOME and WSGATE_JAVA_OPTS, plus env; output merged. */
    static Result exec(Path dir, Map<String, String> env, String... command) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().remove("JAVA_HOME");
        pb.environment().remove("WSGATE_JAVA_OPTS");
        pb.environment().putAll(env);
        Process p = pb.start();
        List<String> out = new ArrayList<>();
        Thread reader = drain(p, out);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " did not finish in 60 s");
        }
        reader.join(5000);
        synchronized (out) {
            return new Result(p.exitValue(), String.join("\n", out));
        }
    }

    static Thread drain(Process p, List<String> out) {
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    synchronized (out) {
                        out.add(line);
                    }
                }
            } catch (IOException ignored) {
                // the process ended
            }
        }, "dist-it-output");
        t.setDaemon(true);
        t.start();
        return t;
    }
}
