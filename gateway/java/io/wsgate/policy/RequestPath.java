package io.wsgate.policy;

/**
 * The request-target rule applied before route matching (policy-format.md, "Paths"). A path must have one
 * spelling only, so that the route the gateway matches is the resource the upstream serves: no empty segment
 * ({@code //}), no dot segment, no {@code \}, no encoded {@code /}, {@code \} or unreserved character
 * ({@code %2e}, {@code %61}), no encoded control character, no {@code ;} (path parameters: servlet containers
 * drop {@code ;...}, so {@code /admin;x/} would be {@code /admin/} upstream), only RFC 3986 path characters and
 * well-formed escapes. The query is not normalised either, only checked for characters a URI may hold. Pure.
 *
 * @param path    the raw path, as the client spelled it (valid only when {@code problem} is null)
 * @param query   the raw query after the first {@code ?}, null without one
 * @param problem null when the target is acceptable, else why it gets 400
 */
public record RequestPath(String path, String query, String problem) {
    private static final String SUB_DELIMS_PATH = "!$&'()*+,=:@";

    /** Splits an origin-form request target ({@code /path?query}) and checks both parts. */
    public static RequestPath parse(String target) {
        if (target == null || target.isEmpty()) {
            return new RequestPath(null, null, "empty request target");
        }
        int q = target.indexOf('?');
        String path = q < 0 ? target : target.substring(0, q);
        String query = q < 0 ? null : target.substring(q + 1);
        String problem = pathProblem(path);
        if (problem == null && query != null) {
            problem = queryProblem(query);
        }
        return new RequestPath(path, query, problem);
    }

    public boolean ok() {
        return problem == null;
    }

    /** Null when {@code path} is a clean absolute path, else the reason for a 400. */
    public static String pathProblem(String path) {
        if (path == null || !path.startsWith("/")) {
            return "path must start with /";
        }
        int segmentStart = 1;
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c == '/') {
                if (i > 0) {
                    String seg = segmentProblem(path, segmentStart, i);
                    if (seg != null) {
                        return seg;
                    }
                }
                segmentStart = i + 1;
            } else if (c == '%') {
                int v = escape(path, i);
                if (v < 0) {
                    return "malformed percent escape";
                }
                if (v == '/' || v == '\\') {
                    return "encoded / or \\ in the path";
                }
                if (isUnreserved(v)) {
                    return "percent-encoded unreserved character (" + path.substring(i, i + 3) + ") in the path";
                }
                if (v < 0x20 || v == 0x7f) {
                    return "encoded control character in the path";
                }
                i += 2;
            } else if (c == '\\') {
                return "\\ in the path";
            } else if (c == ';') {
                return "path parameters (;) are not accepted";
            } else if (!isUnreserved(c) && SUB_DELIMS_PATH.indexOf(c) < 0) {
                return "character not allowed in a path";
            }
        }
        // the last segment may be empty (a trailing slash), never "." or ".."
        String last = path.substring(segmentStart);
        return last.equals(".") || last.equals("..") ? "dot segment in the path" : null;
    }

    /** Null when every query character is one a URI may hold and every escape is well formed. */
    public static String queryProblem(String query) {
        for (int i = 0; i < query.length(); i++) {
            char c = query.charAt(i);
            if (c == '%') {
                if (escape(query, i) < 0) {
                    return "malformed percent escape in the query";
                }
                i += 2;
            } else if (!isUnreserved(c) && SUB_DELIMS_PATH.indexOf(c) < 0 && c != ';' && c != '/' && c != '?'
                    && c != '[' && c != ']') {
                // [ ] are sent unencoded by browsers and accepted by java.net.URI
                return "character not allowed in the query";
            }
        }
        return null;
    }

    /**
     * The client's path after the route's path, appended verbatim to the target's path: "" for an exact route
     * (or the prefix route's own path); never starts with {@code /} for a clean path under a prefix route.
     */
    public static String suffix(String path, String routePath) {
        return routePath.endsWith("/") && path.startsWith(routePath) ? path.substring(routePath.length()) : "";
    }

    private static String segmentProblem(String path, int from, int to) {
        if (from == to) {
            return "empty path segment (//)";
        }
        String seg = path.substring(from, to);
        return seg.equals(".") || seg.equals("..") ? "dot segment in the path" : null;
    }

    /** The byte value of the escape at {@code i} ({@code %HH}), or -1 when malformed. */
    private static int escape(String s, int i) {
        if (i + 2 >= s.length()) {
            return -1;
        }
        int hi = Character.digit(s.charAt(i + 1), 16);
        int lo = Character.digit(s.charAt(i + 2), 16);
        // Character.digit also takes non-ASCII digits: only 0-9 A-F a-f count
        if (hi < 0 || lo < 0 || s.charAt(i + 1) > 'f' || s.charAt(i + 2) > 'f') {
            return -1;
        }
        return hi << 4 | lo;
    }

    private static boolean isUnreserved(int c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
                || c == '-' || c == '.' || c == '_' || c == '~';
    }
}
