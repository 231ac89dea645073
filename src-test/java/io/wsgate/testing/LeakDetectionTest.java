package io.wsgate.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The suite's leak check is live: surefire runs at PARANOID with the recording detector, and a dropped buffer is seen. */
class LeakDetectionTest {
    @Test
    void aDroppedBufferIsReported() throws Exception {
        assertThat(ResourceLeakDetector.getLevel()).isEqualTo(ResourceLeakDetector.Level.PARANOID);
        RecordingLeakDetector.drain();
        leakOne();
        List<String> seen = new ArrayList<>();
        for (int i = 0; i < 50 && seen.isEmpty(); i++) {
            System.gc();
            Thread.sleep(10);
            ByteBufAllocator.DEFAULT.directBuffer(8).release();
            seen.addAll(RecordingLeakDetector.drain());
        }
        assertThat(seen).isNotEmpty();
        assertThat(seen.get(0)).contains("ByteBuf").contains("leakOne");
    }

    private static void leakOne() {
        ByteBuf b = ByteBufAllocator.DEFAULT.directBuffer(16);
        b.writeInt(42); // a touch record naming this method
        b.touch("leakOne");
    }
}
