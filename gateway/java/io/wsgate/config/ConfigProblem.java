package io.wsgate.config;

/** One error (or warning) in a policy file; {@code line} is 1-based, 0 when unknown. */
public record ConfigProblem(String file, int line, String key, String message) {
    /** As {@link #toString}, with "warning: " before the message. */
    public String asWarning() {
        return new ConfigProblem(file, line, key, "warning: " + message).toString();
    }

    @Override
    public String toString() {
        // a problem with no line (a missing folder) is not given a fake ":0: :" position
        String where = line > 0 ? file + ":" + line : file;
        return where + ": " + (key == null || key.isEmpty() ? "" : key + ": ") + message;
    }
}
