package io.wsgate.config;

import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.dataformat.yaml.YAMLFactory;
import tools.jackson.dataformat.yaml.YAMLParser;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/** Reads one YAML document with Jackson's streaming parser into {@link YamlNode}s that keep their lines. */
final class YamlTree {
    private static final YAMLFactory FACTORY = new YAMLFactory();

    private YamlTree() {
    }

    /**
     * The document's root, or null when the file is empty. A duplicate key or an alias is reported
     * through {@code problems}; a syntax error through {@code syntax}, and then null is returned.
     */
    static YamlNode parse(String text, BiConsumer<YamlNode, String> problems, SyntaxSink syntax) {
        try (JsonParser p = FACTORY.createParser(ObjectReadContext.empty(), text)) {
            JsonToken t = p.nextToken();
            if (t == null) {
                return null;
            }
            YamlNode root = read(p, t, "", p.currentTokenLocation().getLineNr(), problems);
            if (p.nextToken() != null) {
                syntax.error(p.currentTokenLocation().getLineNr(), "only one YAML document per file");
                return null;
            }
            return root;
        } catch (JacksonException e) {
            int line = e.getLocation() == null ? 0 : e.getLocation().getLineNr();
            syntax.error(Math.max(line, 0), "invalid YAML: " + summary(e.getOriginalMessage()));
            return null;
        }
    }

    interface SyntaxSink {
        void error(int line, String message);
    }

    private static YamlNode read(JsonParser p, JsonToken t, String path, int line,
                                 BiConsumer<YamlNode, String> problems) {
        switch (t) {
            case START_OBJECT -> {
                LinkedHashMap<String, YamlNode> entries = new LinkedHashMap<>();
                while ((t = p.nextToken()) == JsonToken.PROPERTY_NAME) {
                    String key = p.currentName();
                    int keyLine = p.currentTokenLocation().getLineNr();
                    String childPath = path.isEmpty() ? key : path + "." + key;
                    YamlNode child = read(p, p.nextToken(), childPath, keyLine, problems);
                    if (entries.putIfAbsent(key, child) != null) {
                        problems.accept(child, "duplicate key (first at line " + entries.get(key).line + ")");
                    }
                }
                return YamlNode.map(path, line, entries);
            }
            case START_ARRAY -> {
                List<YamlNode> items = new ArrayList<>();
                while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
                    items.add(read(p, t, path + "[" + items.size() + "]", p.currentTokenLocation().getLineNr(), problems));
                }
                return YamlNode.list(path, line, items);
            }
            case VALUE_STRING -> {
                // the parser hands an alias (*name) over as the string "name": refuse it rather than misread it
                if (p instanceof YAMLParser y && y.isCurrentAlias()) {
                    YamlNode alias = YamlNode.scalar(YamlNode.Kind.NULL, path, line, null);
                    problems.accept(alias, "YAML aliases (*" + p.getString() + ") are not supported: write the value out");
                    return alias;
                }
                return YamlNode.scalar(YamlNode.Kind.STRING, path, line, p.getString());
            }
            case VALUE_NUMBER_INT -> {
                return YamlNode.scalar(YamlNode.Kind.INTEGER, path, line, p.getString());
            }
            case VALUE_NUMBER_FLOAT -> {
                return YamlNode.scalar(YamlNode.Kind.DECIMAL, path, line, p.getString());
            }
            case VALUE_TRUE, VALUE_FALSE -> {
                return YamlNode.scalar(YamlNode.Kind.BOOLEAN, path, line, t == JsonToken.VALUE_TRUE ? "true" : "false");
            }
            case VALUE_NULL -> {
                return YamlNode.scalar(YamlNode.Kind.NULL, path, line, null);
            }
            default -> throw new IllegalStateException("unexpected YAML token " + t);
        }
    }

    /** Every key path (and list item path) of the tree with its line, for mapping compiler errors to lines. */
    static void collectLines(YamlNode node, Map<String, Integer> out) {
        if (node == null) {
            return;
        }
        if (!node.path.isEmpty()) {
            out.put(node.path, node.line);
        }
        node.entries.values().forEach(c -> collectLines(c, out));
        node.items.forEach(c -> collectLines(c, out));
    }

    /** The parser's message without the echoed source lines and carets. */
    private static String summary(String message) {
        if (message == null) {
            return "unreadable";
        }
        StringBuilder sb = new StringBuilder();
        for (String l : message.split("\n")) {
            if (!l.isBlank() && !Character.isWhitespace(l.charAt(0))) {
                if (sb.length() > 0) {
                    sb.append(' ');
                }
                sb.append(l.strip());
            }
        }
        return sb.toString();
    }
}
