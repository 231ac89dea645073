package io.wsgate.audit;

/**
 * One closed connection, as the access log writes it (contract "Access log"); bytes are message payload bytes.
 * {@code closeBy}: who closed first, {@code client}, {@code upstream} or {@code gateway}.
 */
public record AccessRecord(long endMillis, long connection, String ip, String route, String transport, String user,
                           String upstream, long durationMillis, long messagesIn, long messagesOut, long bytesIn,
                           long bytesOut, long refused, int closeCode, String closeBy, String closeReason) {}
