package io.wsgate.audit;

import java.util.ArrayList;
import java.util.List;

/**
 * The last {@code capacity} audit lines in memory, numbered from 1, for {@code GET /admin/audit?since=N}.
 * Filled by the audit writer thread (never the message path), read by the admin event loop; both hold the
 * monitor for a copy at most, so neither waits long.
 */
public final class AuditRing {
    public static final int DEFAULT_CAPACITY = 500;

    /** {@code lines} are numbered up to {@code last} (the newest line written, 0 before any): the next {@code since}. */
    public record Page(long last, List<String> lines) {}

    private final String[] lines;
    private long last;

    public AuditRing(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1");
        }
        this.lines = new String[capacity];
    }

    public synchronized void add(String jsonLine) {
        last++;
        lines[(int) (last % lines.length)] = jsonLine;
    }

    /**
     * The kept lines numbered above {@code since}, oldest first, at most {@code max} (the newest ones). A
     * {@code since} beyond the newest number (a cursor from before a restart) counts as 0.
     */
    public synchronized Page since(long since, int max) {
        long from = since > last ? 1 : since + 1;
        from = Math.max(from, Math.max(last - lines.length + 1, last - max + 1));
        from = Math.max(from, 1);
        List<String> out = new ArrayList<>((int) Math.max(0, last - from + 1));
        for (long i = from; i <= last; i++) {
            out.add(lines[(int) (i % lines.length)]);
        }
        return new Page(last, out);
    }
}
