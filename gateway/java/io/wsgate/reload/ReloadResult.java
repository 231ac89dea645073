package io.wsgate.reload;

import java.util.List;

/** A reload's outcome: the new version and its route paths, or every problem as {@code file:line: key: problem}. */
public record ReloadResult(boolean ok, long version, List<String> routes, List<String> errors) {
    public static ReloadResult success(long version, List<String> routes) {
        return new ReloadResult(true, version, List.copyOf(routes), List.of());
    }

    public static ReloadResult failure(List<String> errors) {
        return new ReloadResult(false, 0, List.of(), List.copyOf(errors));
    }
}
