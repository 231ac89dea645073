package io.wsgate.config;

/**
 * Thrown by a compiler (auth, inspect, limits) for one bad setting. {@code keyPath} is the dotted
 * YAML path within the route file, e.g. {@code auth.jwt.hmac_secret_env}; the loader turns it into a line.
 */
public final class InvalidSettingException extends RuntimeException {
    private final String keyPath;

    public InvalidSettingException(String keyPath, String message) {
        super(message);
        this.keyPath = keyPath;
    }

    public String keyPath() {
        return keyPath;
    }
}
