package io.wsgate.auth;

import com.nimbusds.jose.util.Base64URL;

import java.math.BigInteger;

/**
 * Other spellings of one compact JWS, for the revocation and canonical-form tests: the same bytes in a
 * non-canonical base64url (padding, non-zero unused trailing bits), and for ES256 the second valid signature
 * (r, n - s). Nimbus decodes the non-canonical spellings to the same bytes, so without the gateway's check each
 * verifies.
 */
public final class TokenSpellings {
    /** The order n of P-256. */
    static final BigInteger P256_N =
            new BigInteger("FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551", 16);
    private static final String ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

    private TokenSpellings() {
    }

    /** The signature part with {@code =} padding (its length must not be a multiple of 4). */
    public static String paddedSignature(String token) {
        String[] p = token.split("\\.");
        int rem = p[2].length() % 4;
        if (rem == 0) {
            throw new IllegalArgumentException("signature length is a multiple of 4: nothing to pad");
        }
        return p[0] + "." + p[1] + "." + p[2] + "=".repeat(4 - rem);
    }

    /** Part {@code index} (0 header, 1 payload, 2 signature) with its lowest unused trailing bit set. */
    public static String trailingBits(String token, int index) {
        String[] p = token.split("\\.");
        String part = p[index];
        if (part.length() % 4 < 2) {
            throw new IllegalArgumentException("part " + index + " has no unused trailing bits");
        }
        int v = ALPHABET.indexOf(part.charAt(part.length() - 1));
        p[index] = part.substring(0, part.length() - 1) + ALPHABET.charAt(v ^ 1);
        return String.join(".", p);
    }

    /** The same header and payload with the ES256 signature (r, n - s): also valid. */
    public static String highS(String es256Token) {
        String[] p = es256Token.split("\\.");
        byte[] sig = new Base64URL(p[2]).decode();
        if (sig.length != 64) {
            throw new IllegalArgumentException("not an ES256 signature");
        }
        BigInteger s = new BigInteger(1, java.util.Arrays.copyOfRange(sig, 32, 64));
        byte[] other = P256_N.subtract(s).toByteArray();
        byte[] out = sig.clone();
        java.util.Arrays.fill(out, 32, 64, (byte) 0);
        int len = Math.min(32, other.length);
        System.arraycopy(other, other.length - len, out, 64 - len, len);
        return p[0] + "." + p[1] + "." + Base64URL.encode(out);
    }
}
