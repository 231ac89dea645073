package io.wsgate.audit;

import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.BlockingQueue;

/** Where the audit and access logs write ({@code stdout} or a file) and how their writer threads end. */
final class LogStreams {
    private LogStreams() {
    }

    /** {@code stdout}: standard output, left open when the log closes; anything else a file, appended. */
    static Writer open(String where, String key) {
        if (where.equals("stdout")) {
            return new OutputStreamWriter(new NonClosing(System.out), StandardCharsets.UTF_8);
        }
        try {
            return Files.newBufferedWriter(Path.of(where), StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new UncheckedIOException(key + ": cannot open " + where, e);
        }
    }

    /** True when the log owns its stream and closes it (a file), false for standard output. */
    static boolean owned(String where) {
        return !where.equals("stdout");
    }

    /** The stop marker after what is queued, the writer joined, the stream closed (or flushed when not owned). */
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

    /** Keeps System.out open when a log closes. */
    private static final class NonClosing extends java.io.FilterOutputStream {
        NonClosing(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }
}
