package io.wsgate.config;

import io.wsgate.policy.Policy;

import java.nio.file.Path;
import java.util.List;

/**
 * Reads {@code DIR/gateway.yaml} and every other {@code DIR/*.yaml} as a route, strictly (unknown keys are
 * errors), substitutes {@code ${VAR}} / {@code ${VAR:-default}}, resolves relative paths, fills defaults,
 * compiles every route, and reports every problem as {@code file:line: key: problem}.
 */
public final class PolicyLoader {
    /** Builds a whole new snapshot or throws with every problem found; never a partial policy. */
    public Policy load(Path dir, long version) throws PolicyException {
        throw new PolicyException(List.of(new ConfigProblem(dir.toString(), 0, "", "not implemented yet")));
    }

    /** Warnings of the last successful load (route without auth, events or rate_limits). */
    public List<ConfigProblem> warnings() {
        return List.of();
    }
}
