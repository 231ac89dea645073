package io.wsgate.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Typed, strict access to one file's {@link YamlNode} tree: every wrong type, unknown key, bad value
 * or unset variable becomes a {@link ConfigProblem} at the node's line, and a default is returned so
 * that reading goes on and every problem of the file is found in one pass.
 */
final class FileReader {
    private static final Pattern VAR = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?}");

    final String file;
    private final Path dir;
    private final Function<String, String> env;
    private final List<ConfigProblem> problems;

    FileReader(String file, Path dir, Function<String, String> env, List<ConfigProblem> problems) {
        this.file = file;
        this.dir = dir;
        this.env = env;
        this.problems = problems;
    }

    void problem(YamlNode node, String message) {
        problems.add(new ConfigProblem(file, node.line, node.path, message));
    }

    void problem(int line, String key, String message) {
        problems.add(new ConfigProblem(file, line, key, message));
    }

    /** The node as a mapping with only {@code allowed} keys, or null (reported) when it is something else. */
    YamlNode section(YamlNode node, Set<String> allowed) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (node.kind != YamlNode.Kind.MAP) {
            problem(node, "expected a mapping, got " + node.describe());
            return null;
        }
        for (YamlNode child : node.entries.values()) {
            String key = child.path.substring(child.path.lastIndexOf('.') + 1);
            if (!allowed.contains(key)) {
                problem(child, "unknown key" + suggestion(key, allowed) + " (allowed: " + String.join(", ", sorted(allowed)) + ")");
            }
        }
        return node;
    }

    /** A child that is present and not null, else null. */
    static YamlNode child(YamlNode map, String key) {
        if (map == null) {
            return null;
        }
        YamlNode c = map.entries.get(key);
        return c == null || c.isNull() ? null : c;
    }

    /** Whether the key is written at all (also as an explicit null). */
    static boolean has(YamlNode map, String key) {
        return map != null && map.entries.containsKey(key);
    }

    static String childPath(YamlNode map, String key) {
        return map.path.isEmpty() ? key : map.path + "." + key;
    }

    void missing(YamlNode map, String key, String why) {
        problem(map.line == 0 ? 1 : map.line, childPath(map, key), "missing" + (why == null ? "" : " (" + why + ")"));
    }

    /** A string scalar after {@code ${VAR}} substitution; numbers and booleans are not strings. */
    String string(YamlNode map, String key, String dflt) {
        YamlNode n = child(map, key);
        return n == null ? dflt : string(n, dflt);
    }

    String string(YamlNode n, String dflt) {
        if (n.kind != YamlNode.Kind.STRING) {
            problem(n, "expected a string, got " + n.describe());
            return dflt;
        }
        String s = substitute(n);
        return s == null ? dflt : s;
    }

    /** The scalar's text with variables replaced; null when a variable is unset (already reported). */
    String substitute(YamlNode n) {
        String s = n.text;
        if (s.indexOf("${") < 0) {
            return s;
        }
        Matcher m = VAR.matcher(s);
        StringBuilder sb = new StringBuilder();
        boolean unset = false;
        while (m.find()) {
            String value = env.apply(m.group(1));
            if (value == null) {
                value = m.group(2);
                if (value == null) {
                    problem(n, "environment variable " + m.group(1) + " is not set (use ${" + m.group(1) + ":-default})");
                    value = "";
                    unset = true;
                }
            }
            m.appendReplacement(sb, Matcher.quoteReplacement(value));
        }
        m.appendTail(sb);
        return unset ? null : sb.toString();
    }

    /** An integer; a string is accepted only when it came from a ${VAR} substitution. */
    long integer(YamlNode map, String key, long dflt, long min, long max) {
        YamlNode n = child(map, key);
        if (n == null) {
            return dflt;
        }
        String text = n.text;
        if (n.kind == YamlNode.Kind.STRING && text.contains("${")) {
            text = substitute(n);
            if (text == null) {
                return dflt;
            }
            text = text.strip();
        } else if (n.kind != YamlNode.Kind.INTEGER) {
            problem(n, "expected an integer, got " + n.describe());
            return dflt;
        }
        long v;
        try {
            v = Long.parseLong(text);
        } catch (NumberFormatException e) {
            problem(n, "expected an integer, got \"" + text + "\"");
            return dflt;
        }
        if (v < min || v > max) {
            problem(n, "must be between " + min + " and " + max + ", got " + v);
            return dflt;
        }
        return v;
    }

    int integer(YamlNode map, String key, int dflt, int min) {
        return (int) integer(map, key, dflt, min, Integer.MAX_VALUE);
    }

    boolean bool(YamlNode map, String key, boolean dflt) {
        YamlNode n = child(map, key);
        if (n == null) {
            return dflt;
        }
        if (n.kind == YamlNode.Kind.BOOLEAN) {
            return Boolean.parseBoolean(n.text);
        }
        if (n.kind == YamlNode.Kind.STRING && n.text.contains("${")) {
            String v = substitute(n);
            if (v == null) {
                return dflt;
            }
            if (v.strip().equals("true") || v.strip().equals("false")) {
                return Boolean.parseBoolean(v.strip());
            }
        }
        problem(n, "expected true or false, got " + n.describe());
        return dflt;
    }

    /** {@code 500ms}, {@code 5s}, {@code 1m}, {@code 1h} or a sum such as {@code 2h30m}; at least {@code min}. */
    Duration duration(YamlNode map, String key, Duration dflt, Duration min) {
        YamlNode n = child(map, key);
        if (n == null) {
            return dflt;
        }
        if (n.kind != YamlNode.Kind.STRING) {
            problem(n, "expected a duration such as 500ms, 5s, 1m or 1h, got " + n.describe());
            return dflt;
        }
        String text = substitute(n);
        if (text == null) {
            return dflt;
        }
        Duration d = parseDuration(text.strip());
        if (d == null) {
            problem(n, "expected a duration such as 500ms, 5s, 1m or 1h, got \"" + n.text + "\"");
            return dflt;
        }
        if (d.compareTo(min) < 0) {
            problem(n, min.isZero() ? "must not be negative" : "must be at least " + format(min));
            return dflt;
        }
        return d;
    }

    static Duration parseDuration(String s) {
        return Durations.parse(s);
    }

    private static String format(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
    }

    /** An enum written as its lower-case snake name ({@code round_robin}). */
    <E extends Enum<E>> E enumValue(YamlNode map, String key, Class<E> type, E dflt) {
        YamlNode n = child(map, key);
        if (n == null) {
            return dflt;
        }
        List<String> names = new ArrayList<>();
        for (E e : type.getEnumConstants()) {
            names.add(e.name().toLowerCase(Locale.ROOT));
        }
        if (n.kind == YamlNode.Kind.STRING) {
            String v = substitute(n);
            if (v == null) {
                return dflt;
            }
            int i = names.indexOf(v);
            if (i >= 0) {
                return type.getEnumConstants()[i];
            }
        }
        problem(n, "expected one of " + String.join(" | ", names) + ", got " + n.describe());
        return dflt;
    }

    /** A list of strings; a single string is not silently turned into a list. */
    List<String> strings(YamlNode map, String key, List<String> dflt) {
        return strings(map, key, dflt, v -> null);
    }

    /** A list of strings; {@code check} returns a problem for a bad item (reported at the item's line) or null. */
    List<String> strings(YamlNode map, String key, List<String> dflt, Function<String, String> check) {
        YamlNode n = child(map, key);
        if (n == null) {
            return dflt;
        }
        if (n.kind != YamlNode.Kind.LIST) {
            problem(n, "expected a list, got " + n.describe());
            return dflt;
        }
        List<String> out = new ArrayList<>();
        for (YamlNode item : n.items) {
            String s = string(item, null);
            if (s != null) {
                String problem = check.apply(s);
                if (problem != null) {
                    problem(item, problem);
                }
                out.add(s);
            }
        }
        return List.copyOf(out);
    }

    /** Entries of a mapping whose keys are free names (event names, field paths, namespaces). */
    Map<String, YamlNode> namedEntries(YamlNode map, String key) {
        YamlNode n = child(map, key);
        if (n == null) {
            return null;
        }
        if (n.kind != YamlNode.Kind.MAP) {
            problem(n, "expected a mapping, got " + n.describe());
            return new LinkedHashMap<>();
        }
        LinkedHashMap<String, YamlNode> out = new LinkedHashMap<>();
        n.entries.forEach((k, v) -> out.put(k, v));
        return out;
    }

    /** A file path resolved against this file's folder; {@code mustExist} files are checked. */
    Path path(YamlNode map, String key, boolean mustExist) {
        YamlNode n = child(map, key);
        if (n == null) {
            return null;
        }
        String s = string(n, null);
        if (s == null) {
            return null;
        }
        if (s.isBlank()) {
            problem(n, "must not be empty");
            return null;
        }
        Path p;
        try {
            p = dir.resolve(s).toAbsolutePath().normalize();
        } catch (RuntimeException e) {
            problem(n, "not a valid path: " + s);
            return null;
        }
        if (mustExist && !Files.isRegularFile(p)) {
            problem(n, "file not found: " + p);
        }
        return p;
    }

    Path resolve(String s) {
        return dir.resolve(s).toAbsolutePath().normalize();
    }

    private static List<String> sorted(Set<String> s) {
        return s.stream().sorted().toList();
    }

    /** " (did you mean X?)" for the closest of {@code allowed} within two edits of {@code key}, else "". */
    static String suggestion(String key, Set<String> allowed) {
        String best = null;
        int bestDistance = 3;
        for (String a : allowed) {
            int d = distance(key, a);
            if (d < bestDistance) {
                bestDistance = d;
                best = a;
            }
        }
        return best == null ? "" : " (did you mean " + best + "?)";
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
