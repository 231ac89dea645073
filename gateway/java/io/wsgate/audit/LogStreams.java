package io.wsgate.audit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.util.concurrent.BlockingQueue;

/** How the audit and access logs end: the stop marker after what is queued, the writer joined, the stream closed. */
final class LogStop {
    private LogStop() {
    }

    static <T> void stop(BlockingQueue<T> queue, T stop, Thread writer, Writer out, boolean closeOut) {
        try {
            queue.put(stop);
            writer.join(5000);
            if (closeOut) {
                out.close();
            } else {
                out.flush();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
