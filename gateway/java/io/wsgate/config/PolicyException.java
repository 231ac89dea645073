package io.wsgate.config;

import java.util.List;

/** A policy directory that cannot be served; each problem is printed as {@code file:line: key: problem}. */
public final class PolicyException extends Exception {
    private final List<ConfigProblem> problems;

    public PolicyException(List<ConfigProblem> problems) {
        super(problems.isEmpty() ? "invalid policy" : problems.get(0).toString());
        this.problems = List.copyOf(problems);
    }

    public List<ConfigProblem> problems() {
        return problems;
    }
}
