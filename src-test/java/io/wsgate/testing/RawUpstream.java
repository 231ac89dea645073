package io.wsgate.testing;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A misbehaving upstream on plain sockets (127.0.0.1, ephemeral port), for fault tests that a well-behaved Netty
 * server cannot play:
 * <ul>
 *   <li>{@link Mode#SILENT}: accepts TCP, reads the upgrade request and never writes a byte back;</li>
 *   <li>{@link Mode#STALL_AFTER_UPGRADE}: answers the upgrade with a hand-made 101, then reads nothing until
 *       {@link #resume()}; afterwards it decodes the (masked) frames the gateway sends and records every complete
 *       message in order.</li>
 * </ul>
 * One thread per accepted connection; {@link #close()} closes the listener and every accepted socket.
 */
public final class RawUpstream implements AutoCloseable {
    public enum Mode { SILENT, STALL_AFTER_UPGRADE }

    /** One accepted TCP connection. */
    public static final class Conn {
        public final Socket socket;
        /** The request head (up to the blank line) as read. */
        public final CompletableFuture<String> request = new CompletableFuture<>();
        /** Completes when the gateway ends the connection (EOF or reset), with what the socket read reported. */
        public final CompletableFuture<String> ended = new CompletableFuture<>();
        /** STALL_AFTER_UPGRADE: complete messages received after {@link #resume()}, in order. */
        public final List<byte[]> messages = new CopyOnWriteArrayList<>();

        Conn(Socket socket) {
            this.socket = socket;
        }
    }

    private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    private final Mode mode;
    private final ServerSocket server;
    private final List<Conn> conns = new CopyOnWriteArrayList<>();
    private final CountDownLatch resume = new CountDownLatch(1);
    private final Thread acceptor;

    /** @param receiveBuffer SO_RCVBUF for accepted sockets (set before bind, so the window is small from the start); 0: default */
    public RawUpstream(Mode mode, int receiveBuffer) throws IOException {
        this.mode = mode;
        this.server = new ServerSocket();
        if (receiveBuffer > 0) {
            server.setReceiveBufferSize(receiveBuffer);
        }
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        acceptor = new Thread(this::acceptLoop, "raw-upstream-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public int port() {
        return server.getLocalPort();
    }

    /** Connections accepted so far. */
    public List<Conn> connections() {
        return conns;
    }

    /** STALL_AFTER_UPGRADE: start reading (every connection, now and later). */
    public void resume() {
        resume.countDown();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            Socket s;
            try {
                s = server.accept();
            } catch (IOException e) {
                return;
            }
            Conn c = new Conn(s);
            conns.add(c);
            Thread t = new Thread(() -> serve(c), "raw-upstream-conn");
            t.setDaemon(true);
            t.start();
        }
    }

    private void serve(Conn c) {
        try {
            InputStream in = c.socket.getInputStream();
            String head = readHead(in);
            c.request.complete(head);
            if (mode == Mode.STALL_AFTER_UPGRADE) {
                OutputStream out = c.socket.getOutputStream();
                out.write(switchingProtocols(head).getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
                resume.await();
                readFrames(c, new DataInputStream(in), out);
            } else {
                byte[] buf = new byte[4096];
                while (in.read(buf) >= 0) {
                    // SILENT: read whatever comes, answer nothing
                }
            }
            c.ended.complete("eof");
        } catch (EOFException e) {
            c.ended.complete("eof");
        } catch (SocketException e) {
            c.ended.complete(server.isClosed() ? "closed here" : "reset: " + e.getMessage());
        } catch (Exception e) {
            c.request.completeExceptionally(e);
            c.ended.complete("error: " + e);
        } finally {
            try {
                c.socket.close();
            } catch (IOException ignored) {
                // closing
            }
        }
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int last4 = 0;
        while (true) {
            int ch = in.read();
            if (ch < 0) {
                throw new EOFException("closed before the end of the request head: " + b);
            }
            b.write(ch);
            last4 = (last4 << 8) | ch;
            if (last4 == 0x0D0A0D0A) {
                return b.toString(StandardCharsets.ISO_8859_1);
            }
            if (b.size() > 64 * 1024) {
                throw new IOException("request head too long");
            }
        }
    }

    private static String switchingProtocols(String head) throws Exception {
        String key = null;
        for (String line : head.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase("Sec-WebSocket-Key")) {
                key = line.substring(colon + 1).trim();
            }
        }
        if (key == null) {
            throw new IOException("no Sec-WebSocket-Key in " + head);
        }
        String accept = Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-1")
                .digest((key + GUID).getBytes(StandardCharsets.ISO_8859_1)));
        return "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Accept: " + accept + "\r\n\r\n";
    }

    /** RFC 6455 frames from a client (masked); data messages recorded whole, a close frame answered and ends. */
    private static void readFrames(Conn c, DataInputStream in, OutputStream out) throws IOException {
        ByteArrayOutputStream message = new ByteArrayOutputStream();
        while (true) {
            int b0 = in.readUnsignedByte();
            int b1 = in.readUnsignedByte();
            boolean fin = (b0 & 0x80) != 0;
            int opcode = b0 & 0x0F;
            boolean masked = (b1 & 0x80) != 0;
            long len = b1 & 0x7F;
            if (len == 126) {
                len = in.readUnsignedShort();
            } else if (len == 127) {
                len = in.readLong();
            }
            if (len > 64 << 20) {
                throw new IOException("frame of " + len + " bytes");
            }
            byte[] mask = new byte[4];
            if (masked) {
                in.readFully(mask);
            }
            byte[] payload = new byte[(int) len];
            in.readFully(payload);
            if (masked) {
                for (int i = 0; i < payload.length; i++) {
                    payload[i] ^= mask[i & 3];
                }
            }
            if (opcode == 0x8) {
                out.write(new byte[]{(byte) 0x88, 0});
                out.flush();
                return;
            }
            if (opcode >= 0x8) {
                continue; // ping/pong: not recorded
            }
            message.write(payload);
            if (fin) {
                c.messages.add(message.toByteArray());
                message.reset();
            }
        }
    }

    @Override
    public void close() throws IOException {
        resume.countDown();
        server.close();
        for (Conn c : conns) {
            c.socket.close();
        }
        try {
            acceptor.join(TimeUnit.SECONDS.toMillis(2));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
