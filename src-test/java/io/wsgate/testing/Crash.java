package io.wsgate.testing;

import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.wsgate.demo.DemoUpstream;

import java.net.BindException;
import java.time.Duration;
import java.util.List;

/** Abrupt ends for a {@link DemoUpstream}: connections cut without a close frame, by FIN or by RST. */
public final class Crash {
    private Crash() {
    }

    /** Ends the TCP connection with a reset (SO_LINGER 0), no close frame. */
    public static void reset(Channel ch) {
        ch.eventLoop().execute(() -> {
            try {
                ch.config().setOption(ChannelOption.SO_LINGER, 0);
            } catch (RuntimeException e) {
                // already closed
            }
            ch.unsafe().close(ch.unsafe().voidPromise());
        });
    }

    /**
     * Kills the upstream as a crashing process would: every upgraded connection cut without a close frame
     * (alternately RST and FIN, so both are exercised), then the listener closed.
     */
    public static void kill(DemoUpstream up) {
        List<DemoUpstream.Handshake> hs = up.handshakes();
        for (int i = 0; i < hs.size(); i++) {
            Channel ch = hs.get(i).channel();
            if (i % 2 == 0) {
                reset(ch);
            } else {
                DemoUpstream.dropTcp(ch);
            }
        }
        up.close();
    }

    /** A new DemoUpstream on {@code port} (the restarted process), retrying a bind that fails for a bounded time. */
    public static DemoUpstream restartOn(int port, Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (true) {
            DemoUpstream up = new DemoUpstream("127.0.0.1", port);
            try {
                return up.start();
            } catch (Exception e) {
                up.close();
                if (!(e instanceof BindException || e.getCause() instanceof BindException
                        || String.valueOf(e.getMessage()).contains("Address already in use"))
                        || System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not rebind 127.0.0.1:" + port, e);
                }
                Thread.sleep(50);
            }
        }
    }
}
