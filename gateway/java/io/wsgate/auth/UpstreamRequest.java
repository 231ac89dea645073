package io.wsgate.auth;

import java.util.List;

/** Removes the token's query parameters and cookies from what goes upstream (strip_token). Pure. */
final class UpstreamRequest {
    private UpstreamRequest() {
    }

    /** The raw query without the parameters named by the route's {@code query:NAME} sources; order kept. */
    static String stripQuery(String rawQuery, List<TokenSource> sources) {
        if (rawQuery == null || rawQuery.isEmpty() || sources.stream().noneMatch(s -> s.kind() == TokenSource.Kind.QUERY)) {
            return rawQuery;
        }
        StringBuilder out = new StringBuilder(rawQuery.length());
        for (String part : rawQuery.split("&")) {
            if (part.isEmpty()) {
                continue;
            }
            int eq = part.indexOf('=');
            String name = TokenExtractor.decode(eq < 0 ? part : part.substring(0, eq));
            if (named(sources, TokenSource.Kind.QUERY, name)) {
                continue;
            }
            if (!out.isEmpty()) {
                out.append('&');
            }
            out.append(part);
        }
        return out.toString();
    }

    /**
     * The Cookie header to send upstream when a token cookie had to be removed: the remaining cookies joined with
     * {@code "; "}, or "" when none is left. Null when nothing was removed (the client's Cookie header goes as is).
     */
    static String stripCookies(List<String> cookieHeaders, List<TokenSource> sources) {
        if (cookieHeaders.isEmpty() || sources.stream().noneMatch(s -> s.kind() == TokenSource.Kind.COOKIE)) {
            return null;
        }
        StringBuilder out = new StringBuilder();
        boolean removed = false;
        for (String h : cookieHeaders) {
            for (String c : h.split(";")) {
                String t = c.trim();
                if (t.isEmpty()) {
                    continue;
                }
                int eq = t.indexOf('=');
                String name = eq < 0 ? t : t.substring(0, eq).trim();
                if (named(sources, TokenSource.Kind.COOKIE, name)) {
                    removed = true;
                    continue;
                }
                if (!out.isEmpty()) {
                    out.append("; ");
                }
                out.append(t);
            }
        }
        return removed ? out.toString() : null;
    }

    private static boolean named(List<TokenSource> sources, TokenSource.Kind kind, String name) {
        for (TokenSource s : sources) {
            if (s.kind() == kind && s.name().equals(name)) {
                return true;
            }
        }
        return false;
    }
}
