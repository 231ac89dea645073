package io.wsgate.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The bytes of message {@code seq} on connection {@code conn}: template prefix, a 16-hex-digit id
 * ({@code conn << 40 | seq}), filler, template suffix. The id lets a reply be matched to its request
 * and the constant parts let it be checked byte for byte without keeping a copy of what was sent.
 */
public final class Payload {
    static final int ID_DIGITS = 16;
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private static final long SEQ_MASK = (1L << 40) - 1;

    private final byte[] prefix;
    private final byte[] tail;
    private final int length;

    private Payload(byte[] prefix, byte[] tail) {
        this.prefix = prefix;
        this.tail = tail;
        this.length = prefix.length + ID_DIGITS + tail.length;
    }

    /**
     * @param size     wanted message size in bytes (raised to the minimum the template needs)
     * @param template null for a plain message, else a text with exactly one {@code %s}
     */
    public static Payload of(int size, String template) {
        String t = template == null ? "%s" : template;
        int at = t.indexOf("%s");
        if (at < 0 || t.indexOf("%s", at + 2) >= 0) {
            throw new IllegalArgumentException("payload template needs exactly one %s: " + template);
        }
        byte[] prefix = t.substring(0, at).getBytes(StandardCharsets.UTF_8);
        byte[] suffix = t.substring(at + 2).getBytes(StandardCharsets.UTF_8);
        int filler = Math.max(0, size - prefix.length - suffix.length - ID_DIGITS);
        byte[] tail = new byte[filler + suffix.length];
        Arrays.fill(tail, 0, filler, (byte) 'x');
        System.arraycopy(suffix, 0, tail, filler, suffix.length);
        return new Payload(prefix, tail);
    }

    public int length() {
        return length;
    }

    static long id(int conn, long seq) {
        return ((long) conn << 40) | (seq & SEQ_MASK);
    }

    ByteBuf encode(ByteBufAllocator alloc, int conn, long seq) {
        ByteBuf buf = alloc.buffer(length);
        buf.writeBytes(prefix);
        long id = id(conn, seq);
        for (int shift = 60; shift >= 0; shift -= 4) {
            buf.writeByte(HEX[(int) (id >>> shift) & 0xF]);
        }
        buf.writeBytes(tail);
        return buf;
    }

    /** The id carried by a reply, or -1 when its bytes are not exactly a message of this shape. */
    long decodeId(ByteBuf buf) {
        if (buf.readableBytes() != length) {
            return -1;
        }
        int base = buf.readerIndex();
        for (int i = 0; i < prefix.length; i++) {
            if (buf.getByte(base + i) != prefix[i]) {
                return -1;
            }
        }
        int tailAt = base + prefix.length + ID_DIGITS;
        for (int i = 0; i < tail.length; i++) {
            if (buf.getByte(tailAt + i) != tail[i]) {
                return -1;
            }
        }
        long id = 0;
        int idAt = base + prefix.length;
        for (int i = 0; i < ID_DIGITS; i++) {
            int d = Character.digit(buf.getByte(idAt + i), 16);
            if (d < 0) {
                return -1;
            }
            id = (id << 4) | d;
        }
        return id;
    }
}
