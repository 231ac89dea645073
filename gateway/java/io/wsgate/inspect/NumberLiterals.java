package io.wsgate.inspect;

/**
 * Number literals judged by their text, never converted (contract: "Work per input is bounded"). A literal
 * longer than {@link #MAX_LENGTH} characters (sign, point and exponent included) or whose exponent is above
 * {@link #MAX_EXPONENT} in absolute value is out of bounds: {@code new BigDecimal("1e20000000")} is cheap, but
 * expanding it ({@code toBigIntegerExact}, {@code toPlainString}, schema {@code multipleOf}) costs seconds.
 */
final class NumberLiterals {
    static final int MAX_LENGTH = 100;
    static final int MAX_EXPONENT = 400;

    private NumberLiterals() {
    }

    /**
     * True when every number literal of a JSON text is within bounds. One pass over the bytes, strings
     * skipped; exact for valid JSON (outside strings only numbers contain {@code -} or digits). For text that is
     * not valid JSON the answer is meaningless, and the parser rejects that text anyway.
     */
    static boolean allWithinBounds(byte[] b, int off, int len) {
        int end = off + len;
        int i = off;
        while (i < end) {
            byte c = b[i];
            if (c == '"') {
                i++;
                while (i < end && b[i] != '"') {
                    i += b[i] == '\\' ? 2 : 1;
                }
                i++;
            } else if (c == '-' || isDigit(c)) {
                int start = i;
                while (i < end && isNumberChar(b[i])) {
                    i++;
                }
                if (!withinBounds(b, start, i - start)) {
                    return false;
                }
            } else {
                i++;
            }
        }
        return true;
    }

    /** One literal's text, e.g. {@code -1.5e+20}. */
    static boolean withinBounds(byte[] b, int off, int len) {
        if (len > MAX_LENGTH) {
            return false;
        }
        int end = off + len;
        for (int i = off; i < end; i++) {
            if (b[i] == 'e' || b[i] == 'E') {
                int j = i + 1;
                if (j < end && (b[j] == '+' || b[j] == '-')) {
                    j++;
                }
                int exp = 0;
                for (; j < end && isDigit(b[j]); j++) {
                    exp = exp * 10 + (b[j] - '0');
                    if (exp > MAX_EXPONENT) {
                        return false;
                    }
                }
                return true;
            }
        }
        return true;
    }

    private static boolean isDigit(byte c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isNumberChar(byte c) {
        return isDigit(c) || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-';
    }
}
