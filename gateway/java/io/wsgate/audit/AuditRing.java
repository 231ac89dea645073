package io.wsgate.audit;

import java.util.ArrayList;
import java.util.List;

/**
 * The last {@code capacity} audit lines in memory, numbered from 1, for {@code GET /admin/audit?since=N}.
 * Filled by the audit writer thread (never the message path), read by the admin worker.
 */
public final class AuditRing {
    public static final int DEFAULT_CAPACITY = 500;

    /** Lines numbered {@code next - lines.size()} .. {@code next - 1}; {@code next} is the cursor for the next call. */
    public record Page(long next, List<String> lines) {}

    private final String[] lines;
    private long next = 1;

    public AuditRing(int capacity) {
        this.lines = new String[capacity];
    }

    public synchronized void add(String jsonLine) {
        lines[(int) (next % lines.length)] = jsonLine;
        next++;
    }

    /**
     * The kept lines numbered above {@code since}, oldest first (at most {@code max}, the newest ones); a
     * {@code since} at or beyond the next number (a cursor from before a restart) means from the oldest kept.
     */
    public synchronized Page since(long since, int max) {
        if (since >= next) {
            since = 0; // a cursor from before a restart: start over
        }
        long oldest = Math.max(1, next - lines.length);
        long from = Math.max(Math.max(oldest, since + 1), next - max);
        List<String> out = new ArrayList<>((int) Math.max(0, next - from));
        for (long i = from; i < next; i++) {
            out.add(lines[(int) (i % lines.length)]);
        }
        return new Page(next, out);
    }
}
