package io.wsgate.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Checked with the JDK's own WebSocket client, so the echo is not only Netty talking to Netty. */
@Timeout(30)
class EchoServerTest {

    @Test
    void echoesTextFragmentsAndEveryByteValueUnchanged() throws Exception {
        try (EchoServer echo = EchoServer.start("127.0.0.1", 0, 1, 1 << 20)) {
            List<String> events = new CopyOnWriteArrayList<>();
            CompletableFuture<Void> gotAll = new CompletableFuture<>();
            WebSocket.Listener listener = new WebSocket.Listener() {
                @Override
                public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                    events.add("text:" + data + (last ? "|fin" : ""));
                    ws.request(1);
                    return null;
                }

                @Override
                public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
                    byte[] b = new byte[data.remaining()];
                    data.get(b);
                    boolean allBytes = b.length == 256;
                    for (int i = 0; allBytes && i < 256; i++) {
                        allBytes = b[i] == (byte) i;
                    }
                    events.add("binary:" + b.length + ":" + allBytes + (last ? "|fin" : ""));
                    gotAll.complete(null);
                    ws.request(1);
                    return null;
                }
            };
            WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder()
                    .buildAsync(URI.create("ws://127.0.0.1:" + echo.port() + "/any/path"), listener)
                    .get(10, TimeUnit.SECONDS);
            ws.sendText("héllo ", false).get(5, TimeUnit.SECONDS);
            ws.sendText("wörld", true).get(5, TimeUnit.SECONDS);
            byte[] all = new byte[256];
            for (int i = 0; i < 256; i++) {
                all[i] = (byte) i;
            }
            ws.sendBinary(ByteBuffer.wrap(all), true).get(5, TimeUnit.SECONDS);
            gotAll.get(10, TimeUnit.SECONDS);
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "").get(5, TimeUnit.SECONDS);

            // The JDK client may split or join text parts on delivery; the reassembled text and the
            // binary frame must be exact.
            String text = events.stream().filter(e -> e.startsWith("text:"))
                    .map(e -> e.substring(5).replace("|fin", "")).reduce("", String::concat);
            assertThat(text).isEqualTo("héllo wörld");
            assertThat(events.stream().filter(e -> e.startsWith("text:")).reduce((a, b) -> b).orElseThrow()).endsWith("|fin");
            assertThat(events).contains("binary:256:true|fin");
        }
    }
}
