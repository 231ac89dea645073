package io.wsgate.config;

import java.time.Duration;

/** The one place that turns a duration term's number and unit into a Duration; callers keep their own syntax. */
public final class Durations {
    private Durations() {
    }

    /** {@code unit}: ms, s, m, h or d. Throws ArithmeticException on overflow. */
    public static Duration of(long n, String unit) {
        return switch (unit) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            case "d" -> Duration.ofDays(n);
            default -> throw new IllegalArgumentException("unknown duration unit " + unit);
        };
    }
}
