package io.wsgate.interop;

import java.util.List;
import java.util.NoSuchElementException;
import java.util.stream.Collectors;

/** What one run of a client script printed. {@code exitCode} is -1 when the run had to be killed. */
public record ScenarioResults(String script, List<ScenarioResult> results, List<String> otherLines,
                              String stderr, int exitCode) {

    public ScenarioResult get(String scenario) {
        return results.stream().filter(r -> r.scenario().equals(scenario)).findFirst()
                .orElseThrow(() -> new NoSuchElementException("no result for scenario " + scenario + "\n" + this));
    }

    public List<String> names() {
        return results.stream().map(ScenarioResult::scenario).toList();
    }

    public List<ScenarioResult> failed() {
        return results.stream().filter(r -> !r.ok()).toList();
    }

    /** Fails (AssertionError with every line and stderr) unless the script exited 0 and every scenario is ok. */
    public ScenarioResults assertAllOk() {
        if (exitCode != 0 || results.isEmpty() || !failed().isEmpty()) {
            throw new AssertionError("interop scenarios failed:\n" + this);
        }
        return this;
    }

    @Override
    public String toString() {
        return script + " exit " + exitCode + "\n"
                + results.stream().map(ScenarioResult::toString).collect(Collectors.joining("\n"))
                + (otherLines.isEmpty() ? "" : "\nother stdout:\n" + String.join("\n", otherLines))
                + (stderr.isBlank() ? "" : "\nstderr:\n" + stderr);
    }
}
