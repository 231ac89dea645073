package io.wsgate.metrics;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** What was built: the Maven version and build time, from {@code io/wsgate/build.properties} (filtered at build). */
public record BuildInfo(String version, String built) {
    private static final BuildInfo CURRENT = load();

    public static BuildInfo current() {
        return CURRENT;
    }

    /** {@code wsgate 0.1.0 (built 2026-12-07T02:00:00Z, Java 17.0.15)}. */
    public String describe() {
        return "wsgate " + version + " (built " + built + ", Java " + Runtime.version() + ")";
    }

    private static BuildInfo load() {
        Properties p = new Properties();
        try (InputStream in = BuildInfo.class.getResourceAsStream("/io/wsgate/build.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            // an unreadable resource leaves the defaults below
        }
        return new BuildInfo(p.getProperty("version", "unknown"), p.getProperty("built", "unknown"));
    }
}
