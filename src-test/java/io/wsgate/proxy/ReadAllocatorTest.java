package io.wsgate.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.DefaultChannelConfig;
import io.netty.channel.RecvByteBufAllocator.ExtendedHandle;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

class ReadAllocatorTest {
    private static ExtendedHandle handle(boolean autoRead) {
        DefaultChannelConfig config = new DefaultChannelConfig(new EmbeddedChannel());
        config.setAutoRead(autoRead);
        ExtendedHandle h = (ExtendedHandle) ReadAllocator.INSTANCE.newHandle();
        h.reset(config);
        return h;
    }

    /** One socket read of {@code bytes} out of the handle's current guess, then the read loop ends. */
    private static void read(ExtendedHandle h, int bytes) {
        h.reset(new DefaultChannelConfig(new EmbeddedChannel()));
        h.attemptedBytesRead(h.guess());
        h.lastBytesRead(Math.min(bytes, h.guess()));
        h.incMessagesRead(1);
        h.readComplete();
    }

    @Test
    void startsAt8KiBGrowsToTheBoundAndNeverPastIt() {
        ExtendedHandle h = handle(false);
        assertThat(h.guess()).isEqualTo(8192);
        read(h, 8192);
        assertThat(h.guess()).isEqualTo(ProxyServer.MAX_READ);
        for (int i = 0; i < 5; i++) {
            read(h, 1 << 20);
        }
        assertThat(h.guess()).isEqualTo(65536);
    }

    @Test
    void shrinksAfterTwoSmallReadsDownTo512() {
        ExtendedHandle h = handle(false);
        read(h, 100);
        assertThat(h.guess()).isEqualTo(8192);
        read(h, 100);
        assertThat(h.guess()).isEqualTo(4096);
        for (int i = 0; i < 20; i++) {
            read(h, 100);
        }
        assertThat(h.guess()).isEqualTo(512);
        read(h, 300);
        assertThat(h.guess()).as("a read above half the buffer keeps the size").isEqualTo(512);
    }

    @Test
    void aSmallReadBetweenTwoOthersDoesNotShrink() {
        ExtendedHandle h = handle(false);
        read(h, 100);
        read(h, 6000);
        assertThat(h.guess()).isEqualTo(8192);
    }

    @Test
    void keepsReadingOnlyWithAutoReadAFullBufferAndFewerThan16Reads() {
        ExtendedHandle manual = handle(false);
        manual.attemptedBytesRead(manual.guess());
        manual.lastBytesRead(manual.guess());
        manual.incMessagesRead(1);
        assertThat(manual.continueReading()).isFalse();

        ExtendedHandle auto = handle(true);
        auto.attemptedBytesRead(auto.guess());
        auto.lastBytesRead(auto.guess());
        auto.incMessagesRead(1);
        assertThat(auto.continueReading()).isTrue();
        assertThat(auto.continueReading(() -> false)).isFalse();
        auto.attemptedBytesRead(auto.guess());
        auto.lastBytesRead(10);
        assertThat(auto.continueReading()).as("a short read drained the socket").isFalse();
        auto.incMessagesRead(15);
        auto.attemptedBytesRead(10);
        assertThat(auto.continueReading()).isFalse();
    }
}
