package io.wsgate.inspect;

import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.core.exc.StreamConstraintsException;
import tools.jackson.core.exc.StreamReadException;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.cfg.JsonNodeFeature;
import tools.jackson.databind.exc.MismatchedInputException;
import tools.jackson.databind.json.JsonMapper;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Strict JSON for client messages: duplicate keys (Jackson's own detection), {@code __proto__} keys, nesting
 * depth and number literals out of {@link NumberLiterals} bounds (length, exponent) make a message invalid.
 * Invalid UTF-8 is checked before parsing. Numbers are judged by their text before Jackson sees them, so no
 * tree, rewrite or schema keyword ever holds a number whose expansion is costly.
 */
public final class StrictJson {
    public static final int MAX_DEPTH = 64;
    public static final int MAX_NUMBER_LENGTH = NumberLiterals.MAX_LENGTH;
    static final String PROTO = "__proto__";

    public static final JsonFactory FACTORY = JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(MAX_DEPTH)
                    .maxNumberLength(MAX_NUMBER_LENGTH)
                    .build())
            .build();

    /**
     * Trees are checked for duplicate keys by databind while it builds them (no per-object name set in the
     * parser, ~300 B less per message than the streaming detector).
     */
    private static final JsonMapper TREE_MAPPER = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(FACTORY.streamReadConstraints())
                    .build())
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
            .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
            .build();

    /** Keeps number text as written (big decimals, no stripped zeros) when a rewritten message is serialized. */
    public static final JsonMapper MAPPER = JsonMapper.builder(FACTORY)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
            .build();

    /** One scanner and UTF-8 checker per thread (event loop), not per connection: ~1.5 KB less per idle socket. */
    private static final ThreadLocal<Scanner> SCANNERS = ThreadLocal.withInitial(Scanner::new);
    private static final ThreadLocal<Utf8Check> UTF8 = ThreadLocal.withInitial(Utf8Check::new);

    private StrictJson() {
    }

    /** This thread's scanner; its results are valid until the thread's next scan. */
    static Scanner scanner() {
        return SCANNERS.get();
    }

    static Utf8Check utf8() {
        return UTF8.get();
    }

    /** Strict UTF-8 (no overlong forms, no surrogates); ASCII needs no allocation. */
    public static boolean validUtf8(byte[] buf, int off, int len) {
        int end = off + len;
        for (int i = off; i < end; i++) {
            if (buf[i] < 0) {
                try {
                    StandardCharsets.UTF_8.newDecoder()
                            .onMalformedInput(CodingErrorAction.REPORT)
                            .onUnmappableCharacter(CodingErrorAction.REPORT)
                            .decode(ByteBuffer.wrap(buf, i, end - i));
                    return true;
                } catch (CharacterCodingException e) {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * Strict UTF-8 check for one connection: ASCII is a plain loop, other text reuses one decoder and one
     * small output buffer (no allocation beyond a ByteBuffer wrapper).
     */
    public static final class Utf8Check {
        private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        private final CharBuffer out = CharBuffer.allocate(512);

        public boolean valid(byte[] buf, int off, int len) {
            int end = off + len;
            int i = off;
            while (i < end && buf[i] >= 0) {
                i++;
            }
            if (i == end) {
                return true;
            }
            decoder.reset();
            ByteBuffer in = ByteBuffer.wrap(buf, i, end - i);
            while (true) {
                out.clear();
                CoderResult r = decoder.decode(in, out, true);
                if (r.isError()) {
                    return false;
                }
                if (r.isUnderflow()) {
                    out.clear();
                    return !decoder.flush(out).isError();
                }
            }
        }
    }

    /** A number literal out of bounds (length or exponent): {@link #readTree} throws it before parsing. */
    public static final class NumberBoundsException extends StreamConstraintsException {
        NumberBoundsException() {
            super("a number literal is longer than " + NumberLiterals.MAX_LENGTH
                    + " characters or has an exponent above " + NumberLiterals.MAX_EXPONENT);
        }
    }

    /** True when the violation is a number literal out of bounds (ours, or Jackson's number length). */
    static boolean isNumberViolation(JacksonException e) {
        return e instanceof NumberBoundsException || e instanceof StreamConstraintsException
                && e.getOriginalMessage() != null && e.getOriginalMessage().startsWith("Number value length");
    }

    /** True for a strictness violation (duplicate key, depth, number size), false for plain bad syntax. */
    static boolean isStrictnessViolation(JacksonException e) {
        if (e instanceof StreamConstraintsException) {
            return true;
        }
        String m = e instanceof StreamReadException sre ? sre.getOriginalMessage() : null;
        if (m != null && m.startsWith("Duplicate Object property")) {
            return true;
        }
        return e instanceof MismatchedInputException mie && mie.getOriginalMessage() != null
                && mie.getOriginalMessage().startsWith("Duplicate property");
    }

    /**
     * Parses a tree for payload rules. Duplicate keys, depth, number bounds ({@link NumberBoundsException}) and
     * trailing tokens throw JacksonException ({@link #isStrictnessViolation} tells strictness from syntax);
     * {@code __proto__} keys are not checked here ({@link #hasProtoKey}). Empty input gives a missing node.
     */
    public static JsonNode readTree(byte[] buf, int off, int len) {
        if (!NumberLiterals.allWithinBounds(buf, off, len)) {
            throw new NumberBoundsException();
        }
        return TREE_MAPPER.readTree(buf, off, len);
    }

    /** True when any object in the tree has a {@code __proto__} key. */
    public static boolean hasProtoKey(JsonNode node) {
        if (node.isObject()) {
            for (var e : node.properties()) {
                if (PROTO.equals(e.getKey()) || e.getValue().isContainer() && hasProtoKey(e.getValue())) {
                    return true;
                }
            }
        } else if (node.isArray()) {
            for (JsonNode v : node) {
                if (v.isContainer() && hasProtoKey(v)) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * One streaming pass over a whole message: validates strictness and picks the value at a field path,
     * without building a tree. One instance per connection (not thread-safe); reused for every message.
     */
    public static final class Scanner {
        public static final int OK = 0;
        /** Not JSON at all (syntax error, empty, more than one root value). */
        public static final int NOT_JSON = 1;
        /** JSON that breaks a strictness rule (duplicate key, __proto__, depth). */
        public static final int INVALID = 2;
        /**
         * A number literal out of {@link NumberLiterals} bounds (judged before parsing, so also in text that is
         * not JSON): {@code invalid} on json routes, malformed on socketio routes.
         */
        public static final int BAD_NUMBER = 3;

        private final boolean[] matched = new boolean[MAX_DEPTH + 2];
        private final boolean[] isArray = new boolean[MAX_DEPTH + 2];
        private final int[] counter = new int[MAX_DEPTH + 2];

        private JsonToken root;
        private JsonToken valueToken;
        private String value;

        /** The first token of the message (START_OBJECT, START_ARRAY, a scalar), valid after OK. */
        public JsonToken root() {
            return root;
        }

        /** The token at the path (null when absent): VALUE_STRING, VALUE_NUMBER_INT, START_OBJECT... */
        public JsonToken valueToken() {
            return valueToken;
        }

        /** The string or number text at the path (JSON-unescaped), null for other kinds or when absent. */
        public String value() {
            return value;
        }

        public int scan(byte[] buf, int off, int len, FieldPath path) {
            root = null;
            valueToken = null;
            value = null;
            if (!NumberLiterals.allWithinBounds(buf, off, len)) {
                return BAD_NUMBER;
            }
            try (JsonParser p = FACTORY.createParser(ObjectReadContext.empty(), buf, off, len)) {
                JsonToken t = p.nextToken();
                if (t == null) {
                    return NOT_JSON;
                }
                root = t;
                int depth = 0;
                String name = null;
                while (t != null) {
                    switch (t) {
                        case PROPERTY_NAME -> {
                            name = p.currentName();
                            if (PROTO.equals(name)) {
                                return INVALID;
                            }
                        }
                        case END_OBJECT, END_ARRAY -> depth--;
                        default -> {
                            boolean seg = false;
                            if (depth > 0 && path != null && matched[depth - 1] && depth <= path.size()) {
                                int i = depth - 1;
                                seg = isArray[i] ? counter[i] == path.index(i) : path.name(i) != null && path.name(i).equals(name);
                            }
                            if (depth > 0 && isArray[depth - 1]) {
                                counter[depth - 1]++;
                            }
                            if (seg && path.size() == depth) {
                                valueToken = t;
                                if (t == JsonToken.VALUE_STRING || t.isNumeric()) {
                                    value = p.getString();
                                }
                            }
                            if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
                                matched[depth] = depth == 0 || (seg && depth < path.size());
                                isArray[depth] = t == JsonToken.START_ARRAY;
                                counter[depth] = 0;
                                depth++;
                            }
                        }
                    }
                    if (depth == 0) {
                        break;
                    }
                    t = p.nextToken();
                }
                if (t == null || p.nextToken() != null) {
                    return NOT_JSON;
                }
                return OK;
            } catch (JacksonException e) {
                return isNumberViolation(e) ? BAD_NUMBER : isStrictnessViolation(e) ? INVALID : NOT_JSON;
            }
        }
    }
}
