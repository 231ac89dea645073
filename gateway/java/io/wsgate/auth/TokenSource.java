package io.wsgate.auth;

import io.wsgate.config.InvalidSettingException;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** One {@code auth.token_from} entry: where a token may be found. {@code name} is the query/cookie name, JSON path or auth key. */
public record TokenSource(Kind kind, String name) {
    public enum Kind {
        HEADER, QUERY, COOKIE, SUBPROTOCOL,
        /** Deferred: the token arrives after the 101. */
        FIRST_MESSAGE, SOCKETIO_AUTH;

        public boolean deferred() {
            return this == FIRST_MESSAGE || this == SOCKETIO_AUTH;
        }
    }

    public static List<TokenSource> parseAll(List<String> entries) {
        List<TokenSource> out = new ArrayList<>();
        if (entries == null) {
            return out;
        }
        for (int i = 0; i < entries.size(); i++) {
            out.add(parse(entries.get(i), "auth.token_from[" + i + "]"));
        }
        return List.copyOf(out);
    }

    static TokenSource parse(String entry, String keyPath) {
        if (entry == null || entry.isBlank()) {
            throw new InvalidSettingException(keyPath, "empty token source");
        }
        int colon = entry.indexOf(':');
        String kind = (colon < 0 ? entry : entry.substring(0, colon)).trim().toLowerCase(Locale.ROOT);
        String name = colon < 0 ? null : entry.substring(colon + 1).trim();
        return switch (kind) {
            case "header" -> noName(Kind.HEADER, name, entry, keyPath);
            case "subprotocol" -> noName(Kind.SUBPROTOCOL, name, entry, keyPath);
            case "query" -> named(Kind.QUERY, name, entry, keyPath);
            case "cookie" -> named(Kind.COOKIE, name, entry, keyPath);
            case "first_message" -> named(Kind.FIRST_MESSAGE, name, entry, keyPath);
            case "socketio_auth" -> named(Kind.SOCKETIO_AUTH, name, entry, keyPath);
            default -> throw new InvalidSettingException(keyPath, "unknown token source '" + entry
                    + "' (header, query:NAME, cookie:NAME, subprotocol, first_message:PATH, socketio_auth:KEY)");
        };
    }

    private static TokenSource noName(Kind k, String name, String entry, String keyPath) {
        if (name != null) {
            throw new InvalidSettingException(keyPath, "'" + entry + "': " + k.name().toLowerCase(Locale.ROOT) + " takes no name");
        }
        return new TokenSource(k, null);
    }

    private static TokenSource named(Kind k, String name, String entry, String keyPath) {
        if (name == null || name.isEmpty()) {
            throw new InvalidSettingException(keyPath, "'" + entry + "' needs a name after ':'");
        }
        return new TokenSource(k, name);
    }
}
