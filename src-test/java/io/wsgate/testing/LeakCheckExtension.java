package io.wsgate.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.util.ResourceLeakDetector;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.List;

/**
 * Registered for every test class (JUnit extension auto-detection): after a class's tests, collects garbage,
 * lets the leak detectors poll their queues, and fails the class if any buffer was reported leaked meanwhile.
 * A leak found here may come from an earlier class whose buffer was collected only now; the report's access
 * records name the code either way.
 */
public final class LeakCheckExtension implements AfterAllCallback {
    private static final int ROUNDS = 3;

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        if (ResourceLeakDetector.getLevel() != ResourceLeakDetector.Level.PARANOID) {
            return;
        }
        for (int i = 0; i < ROUNDS; i++) {
            System.gc();
            Thread.sleep(20);
            poll();
        }
        List<String> leaks = RecordingLeakDetector.drain();
        if (!leaks.isEmpty()) {
            throw new AssertionError(leaks.size() + " Netty buffer leak(s) reported after "
                    + context.getDisplayName() + ":\n" + String.join("\n\n", leaks));
        }
    }

    /** A detector reports what was collected when it tracks its next object: allocate and free one of each kind. */
    private static void poll() {
        ByteBuf[] probes = {
                ByteBufAllocator.DEFAULT.directBuffer(8), ByteBufAllocator.DEFAULT.heapBuffer(8),
                Unpooled.directBuffer(8), Unpooled.buffer(8)};
        for (ByteBuf b : probes) {
            b.release();
        }
    }
}
