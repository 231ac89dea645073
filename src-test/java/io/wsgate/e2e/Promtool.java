package io.wsgate.e2e;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

/** Prometheus' own linter ({@code promtool check metrics}, Debian package prometheus) over a scrape. */
final class Promtool {
    private Promtool() {
    }

    static void assertValid(String exposition) throws Exception {
        Path bin = onPath("promtool");
        if (bin == null) {
            assertThat(System.getenv("CI")).as("promtool on PATH (apt-get install -y prometheus); required under CI")
                    .isNull();
            assumeThat(bin).as("promtool not installed").isNotNull();
        }
        Path in = Files.createTempFile("scrape", ".txt");
        Files.writeString(in, exposition, StandardCharsets.UTF_8);
        Process p = new ProcessBuilder(bin.toString(), "check", "metrics").redirectInput(in.toFile())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        Files.deleteIfExists(in);
        assertThat(p.exitValue()).as("promtool check metrics:\n" + out).isZero();
        assertThat(out.strip()).as("promtool lint output").isEmpty();
    }

    static Path onPath(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            Path p = Path.of(dir, name);
            if (!dir.isEmpty() && Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }
}
