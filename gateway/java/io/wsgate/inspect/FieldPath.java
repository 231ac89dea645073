package io.wsgate.inspect;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;

/**
 * A compiled field path: {@code payload.action}, {@code [3]}, {@code data[0].type}. Each segment is an object
 * key or an array index.
 */
public final class FieldPath {
    private final String text;
    private final String[] names;
    private final int[] indexes;

    private FieldPath(String text, String[] names, int[] indexes) {
        this.text = text;
        this.names = names;
        this.indexes = indexes;
    }

    /** @throws IllegalArgumentException with a short reason when the path is not well formed */
    public static FieldPath parse(String text) {
        if (text == null || text.isEmpty()) {
            throw new IllegalArgumentException("empty path");
        }
        List<String> names = new ArrayList<>();
        List<Integer> idx = new ArrayList<>();
        int i = 0;
        int n = text.length();
        boolean expectName = true;
        while (i < n) {
            char c = text.charAt(i);
            if (c == '[') {
                int close = text.indexOf(']', i);
                if (close < 0) {
                    throw new IllegalArgumentException("unclosed '[' in \"" + text + "\"");
                }
                String digits = text.substring(i + 1, close);
                if (digits.isEmpty() || digits.length() > 6 || !digits.chars().allMatch(ch -> ch >= '0' && ch <= '9')) {
                    throw new IllegalArgumentException("bad array index \"[" + digits + "]\" in \"" + text + "\"");
                }
                names.add(null);
                idx.add(Integer.parseInt(digits));
                i = close + 1;
                expectName = false;
            } else if (c == '.') {
                if (expectName || i + 1 >= n || text.charAt(i + 1) == '.' || text.charAt(i + 1) == '[') {
                    throw new IllegalArgumentException("misplaced '.' in \"" + text + "\"");
                }
                i++;
                expectName = true;
            } else {
                if (!expectName) {
                    throw new IllegalArgumentException("expected '.' or '[' at " + i + " in \"" + text + "\"");
                }
                int end = i;
                while (end < n && text.charAt(end) != '.' && text.charAt(end) != '[') {
                    if (text.charAt(end) == ']') {
                        throw new IllegalArgumentException("stray ']' in \"" + text + "\"");
                    }
                    end++;
                }
                names.add(text.substring(i, end));
                idx.add(-1);
                i = end;
                expectName = false;
            }
        }
        if (expectName) {
            throw new IllegalArgumentException("path ends with '.': \"" + text + "\"");
        }
        int[] ix = new int[idx.size()];
        for (int k = 0; k < ix.length; k++) {
            ix[k] = idx.get(k);
        }
        return new FieldPath(text, names.toArray(new String[0]), ix);
    }

    public int size() {
        return names.length;
    }

    /** Object key of segment {@code i}, or null when it is an array index. */
    public String name(int i) {
        return names[i];
    }

    public int index(int i) {
        return indexes[i];
    }

    public boolean startsWithIndex() {
        return names[0] == null;
    }

    public boolean hasIndex() {
        for (String s : names) {
            if (s == null) {
                return true;
            }
        }
        return false;
    }

    /** The node at this path, or null when absent. */
    public JsonNode get(JsonNode root) {
        JsonNode cur = root;
        for (int i = 0; i < names.length && cur != null; i++) {
            cur = step(cur, i);
        }
        return cur;
    }

    /** The container holding the last segment, or null. */
    public JsonNode parent(JsonNode root) {
        JsonNode cur = root;
        for (int i = 0; i < names.length - 1 && cur != null; i++) {
            cur = step(cur, i);
        }
        return cur;
    }

    /** Replaces the value at this path with a string; the path must exist (see {@link #get}). */
    public void setString(JsonNode root, String value) {
        JsonNode p = parent(root);
        int last = names.length - 1;
        if (names[last] != null && p instanceof ObjectNode o) {
            o.put(names[last], value);
        } else if (names[last] == null && p instanceof ArrayNode a && indexes[last] < a.size()) {
            a.set(indexes[last], a.stringNode(value));
        }
    }

    private JsonNode step(JsonNode cur, int i) {
        if (names[i] != null) {
            return cur.isObject() ? cur.get(names[i]) : null;
        }
        return cur.isArray() ? cur.get(indexes[i]) : null;
    }

    @Override
    public String toString() {
        return text;
    }
}
