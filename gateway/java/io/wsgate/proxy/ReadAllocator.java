package io.wsgate.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelConfig;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.util.UncheckedBooleanSupplier;

/**
 * Socket reads sized like Netty's AdaptiveRecvByteBufAllocator (start at 8 KiB, grow 16× after a read that
 * filled the buffer, halve after two reads that used half of it or less, bounded to [512 B, {@link #MAX}]), with
 * a 40-byte handle per channel instead of about 110 B (handle + AdaptiveCalculator + supplier): every idle
 * proxied connection holds two of them. Sizes are powers of two kept as a shift.
 */
final class ReadAllocator implements RecvByteBufAllocator {
    static final ReadAllocator INSTANCE = new ReadAllocator();

    private static final int MIN_SHIFT = 9;
    private static final int INITIAL_SHIFT = 13;
    private static final int MAX_SHIFT = 16;
    private static final int GROW_STEPS = 4;
    /** Largest single read. */
    static final int MAX = 1 << MAX_SHIFT;
    /** Netty's default for stream channels; only matters with auto-read on. */
    private static final int MAX_MESSAGES_PER_READ = 16;

    private ReadAllocator() {}

    @Override
    public Handle newHandle() {
        return new LeanHandle();
    }

    static final class LeanHandle implements ExtendedHandle {
        private ChannelConfig config;
        private int totalMessages;
        private int totalBytesRead;
        private int attemptedBytesRead;
        private int lastBytesRead;
        private byte shift = INITIAL_SHIFT;
        private boolean decreaseNow;

        @Override
        public ByteBuf allocate(ByteBufAllocator alloc) {
            return alloc.ioBuffer(guess());
        }

        @Override
        public int guess() {
            return 1 << shift;
        }

        @Override
        public void reset(ChannelConfig config) {
            this.config = config;
            totalMessages = 0;
            totalBytesRead = 0;
        }

        @Override
        public void incMessagesRead(int numMessages) {
            totalMessages += numMessages;
        }

        @Override
        public void lastBytesRead(int bytes) {
            if (bytes == attemptedBytesRead) {
                record(bytes);
            }
            lastBytesRead = bytes;
            if (bytes > 0) {
                totalBytesRead += bytes;
            }
        }

        @Override
        public int lastBytesRead() {
            return lastBytesRead;
        }

        @Override
        public boolean continueReading() {
            return config.isAutoRead() && attemptedBytesRead == lastBytesRead
                    && totalMessages < MAX_MESSAGES_PER_READ && totalBytesRead > 0;
        }

        @Override
        public boolean continueReading(UncheckedBooleanSupplier maybeMoreDataSupplier) {
            return config.isAutoRead() && maybeMoreDataSupplier.get()
                    && totalMessages < MAX_MESSAGES_PER_READ && totalBytesRead > 0;
        }

        @Override
        public void readComplete() {
            record(totalBytesRead < 0 ? Integer.MAX_VALUE : totalBytesRead);
        }

        @Override
        public void attemptedBytesRead(int bytes) {
            attemptedBytesRead = bytes;
        }

        @Override
        public int attemptedBytesRead() {
            return attemptedBytesRead;
        }

        private void record(int size) {
            if (shift > MIN_SHIFT && size <= 1 << (shift - 1)) {
                if (decreaseNow) {
                    shift--;
                    decreaseNow = false;
                } else {
                    decreaseNow = true;
                }
            } else if (size >= 1 << shift) {
                shift = (byte) Math.min(shift + GROW_STEPS, MAX_SHIFT);
                decreaseNow = false;
            }
        }
    }
}
