package io.wsgate.config;

/** One error (or warning) in a policy file; {@code line} is 1-based, 0 when unknown. */
public record ConfigProblem(String file, int line, String key, String message) {
    @Override
    public String toString() {
        return file + ":" + line + ": " + key + ": " + message;
    }
}
