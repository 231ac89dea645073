package io.wsgate.config;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one duration grammar of policies, the CLI, the admin API and the bench tool: one or more terms of digits
 * and a unit, {@code 500ms}, {@code 30s}, {@code 2h30m}, {@code 7d}.
 */
public final class Durations {
    private static final Pattern TERM = Pattern.compile("(\\d{1,18})(ms|s|m|h|d)");

    private Durations() {
    }

    /** The duration written as {@code text}, or null when it is not one (empty, unknown unit, overflow). */
    public static Duration parse(String text) {
        if (text == null || text.isEmpty()) {
            return null;
        }
        Matcher m = TERM.matcher(text);
        Duration total = Duration.ZERO;
        int at = 0;
        while (at < text.length()) {
            if (!m.find(at) || m.start() != at) {
                return null;
            }
            try {
                total = total.plus(of(Long.parseLong(m.group(1)), m.group(2)));
            } catch (NumberFormatException | ArithmeticException e) {
                return null;
            }
            at = m.end();
        }
        return total;
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
