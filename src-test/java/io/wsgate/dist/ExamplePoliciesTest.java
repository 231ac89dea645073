package io.wsgate.dist;

import io.wsgate.cli.CheckCommand;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every folder under {@code docs/examples/} is a policy folder that {@code wsgate check} accepts without a
 * problem or a warning (the examples are meant to be copied). They stay out of {@code policies/}, which
 * {@code run}, {@code check} and the demo load.
 */
class ExamplePoliciesTest {
    static final Path PROJECT = Path.of(System.getProperty("wsgate.projectDir", "."));
    static final Path EXAMPLES = PROJECT.resolve("docs/examples");

    static List<Path> exampleFolders() throws IOException {
        List<Path> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(EXAMPLES)) {
            s.filter(Files::isDirectory).sorted().forEach(out::add);
        }
        return out;
    }

    @Test
    void bothSetupsAreThere() throws IOException {
        assertThat(exampleFolders()).extracting(p -> p.getFileName().toString())
                .contains("socketio-chat", "jwks-idp");
        for (Path dir : exampleFolders()) {
            assertThat(dir.resolve("gateway.yaml")).as(dir + " is a policy folder").isRegularFile();
        }
    }

    @TestFactory
    Stream<DynamicTest> everyExamplePassesCheckWithoutWarnings() throws IOException {
        return exampleFolders().stream().map(dir -> DynamicTest.dynamicTest(dir.getFileName().toString(), () -> {
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            // An empty environment: the examples must not depend on variables being set.
            CommandLine cl = new CommandLine(new CheckCommand(Map.<String, String>of()::get));
            cl.setOut(new PrintWriter(out, true));
            cl.setErr(new PrintWriter(err, true));
            List<String> args = new ArrayList<>();
            // jwks-idp names https://kc.example.com/...: where check can fetch jwks_url, skip the fetch.
            if (cl.getCommandSpec().findOption("--offline") != null) {
                args.add("--offline");
            }
            args.add(dir.toString());
            int code = cl.execute(args.toArray(String[]::new));
            assertThat(err.toString()).as("stderr of check " + dir).isEmpty();
            assertThat(code).isZero();
            assertThat(out.toString().lines()).as("stdout of check " + dir)
                    .containsExactly(dir + ": ok, 1 route, 0 warnings");
        }));
    }
}
