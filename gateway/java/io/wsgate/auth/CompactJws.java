package io.wsgate.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * The spelling rules of a compact JWS ({@code header.payload.signature}) and the digest that names a token for
 * revocation. Base64url has several spellings of one value (padding, non-zero unused trailing bits) and Nimbus
 * decodes them all; the gateway accepts only the canonical one (RFC 7515 §2: unpadded, RFC 4648 §3.5: unused
 * bits zero), so the text of the first two parts is a one-to-one image of their decoded bytes.
 */
public final class CompactJws {
    /** Base64url character values; -1 outside the alphabet. */
    private static final byte[] VALUE = new byte[128];

    static {
        Arrays.fill(VALUE, (byte) -1);
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        for (int i = 0; i < alphabet.length(); i++) {
            VALUE[alphabet.charAt(i)] = (byte) i;
        }
    }

    private CompactJws() {
    }

    /** Exactly three dot-separated parts. */
    public static boolean isCompact(String token) {
        int first = token.indexOf('.');
        int second = first < 0 ? -1 : token.indexOf('.', first + 1);
        return second >= 0 && token.indexOf('.', second + 1) < 0;
    }

    /**
     * Null when {@code token} is three parts each in canonical base64url, else why not (never quoting the
     * token). One pass over the text, no allocation: cheap enough before any cache lookup or signature check.
     */
    public static String problem(String token) {
        if (token == null || !isCompact(token)) {
            return "not a signed JWT (JWS compact form)";
        }
        int start = 0;
        for (int part = 0; part < 3; part++) {
            int end = part < 2 ? token.indexOf('.', start) : token.length();
            if (!canonical(token, start, end)) {
                return "token part " + (part + 1) + " is not canonical base64url (padding, stray characters or"
                        + " non-zero trailing bits)";
            }
            start = end + 1;
        }
        return null;
    }

    /** As {@link #problem}, as the verifier's exception. */
    public static void requireCanonical(String token) throws TokenException {
        String p = problem(token);
        if (p != null) {
            throw new TokenException("invalid_token", p);
        }
    }

    private static boolean canonical(String s, int from, int to) {
        int len = to - from;
        if (len % 4 == 1) {
            return false; // 6 bits cannot end a byte: no encoder writes this length
        }
        int last = 0;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c >= 128 || VALUE[c] < 0) {
                return false;
            }
            last = VALUE[c];
        }
        // 2 chars carry 1 byte (4 unused bits), 3 chars carry 2 bytes (2 unused bits): those bits must be 0
        return switch (len % 4) {
            case 2 -> (last & 0x0F) == 0;
            case 3 -> (last & 0x03) == 0;
            default -> true;
        };
    }

    /**
     * The one digest that names a token for revocation (by whole token) and audit: SHA-256 hex of its header and
     * payload, signature left out (an ECDSA signature (r, s) has a second valid form (r, n - s), so signatures
     * cannot name a token). Over the canonical text, which maps one-to-one to the decoded bytes.
     *
     * @throws IllegalArgumentException when {@code token} is not a canonical compact JWS
     */
    public static String revocationDigest(String token) {
        String p = problem(token);
        if (p != null) {
            throw new IllegalArgumentException(p);
        }
        return sha256Hex(token.substring(0, token.lastIndexOf('.')));
    }

    /** SHA-256 hex of the text's UTF-8 bytes. */
    static String sha256Hex(String text) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(md.digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
