package io.wsgate.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A parsed YAML value that remembers where it was written: {@code path} is the dotted key path
 * ({@code route.upstream.targets[0]}) and {@code line} the 1-based line of its key (or list item).
 * Jackson's tree nodes carry no locations, hence this small tree.
 */
final class YamlNode {
    enum Kind { MAP, LIST, STRING, INTEGER, DECIMAL, BOOLEAN, NULL }

    final Kind kind;
    final String path;
    final int line;
    /** Scalar text as written (null for maps and lists). */
    final String text;
    final Map<String, YamlNode> entries;
    final List<YamlNode> items;

    private YamlNode(Kind kind, String path, int line, String text, Map<String, YamlNode> entries, List<YamlNode> items) {
        this.kind = kind;
        this.path = path;
        this.line = line;
        this.text = text;
        this.entries = entries;
        this.items = items;
    }

    static YamlNode scalar(Kind kind, String path, int line, String text) {
        return new YamlNode(kind, path, line, text, Map.of(), List.of());
    }

    static YamlNode map(String path, int line, LinkedHashMap<String, YamlNode> entries) {
        return new YamlNode(Kind.MAP, path, line, null, Collections.unmodifiableMap(entries), List.of());
    }

    static YamlNode list(String path, int line, List<YamlNode> items) {
        return new YamlNode(Kind.LIST, path, line, null, Map.of(), List.copyOf(items));
    }

    boolean isNull() {
        return kind == Kind.NULL;
    }

    /** Describes the value for a wrong-type message, e.g. {@code a list} or {@code the string "abc"}. */
    String describe() {
        return switch (kind) {
            case MAP -> "a mapping";
            case LIST -> "a list";
            case STRING -> "the string \"" + text + "\"";
            case NULL -> "nothing";
            default -> text;
        };
    }
}
