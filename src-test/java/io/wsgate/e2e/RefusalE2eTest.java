package io.wsgate.e2e;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.wsgate.demo.DemoUpstream;
import io.wsgate.testing.RawHttp;
import io.wsgate.testing.WsTestClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 8, "make the class impossible, and show it": every refusal path that was unit-tested only, over real
 * sockets on 127.0.0.1, judged by the upstream's own record (what {@link DemoUpstream} received: messages and
 * handshakes), not only by what the client saw.
 *
 * <p>"Nothing was forwarded" is decided by an ordering event, never by sleeping: after a refused message the
 * client sends an allowed sentinel on the same connection and waits for its echo (the upstream records a message
 * before echoing it, and frames on one connection arrive in order), or, when the refusal closes the socket, the
 * test waits until the upstream's side of that connection has closed. Each hostile variant gets its own client
 * path so that the upstream record of one connection is told apart by its path.
 *
 * <p>The json route allows {@code $default}: a message the gateway failed to recognise as strictly invalid (and
 * took for "not JSON") would then be forwarded, so these tests also catch a strictness check that degrades.
 */
class RefusalE2eTest {
    @TempDir
    static Path dir;
    static E2e e2e;

    static final String SENTINEL = "{\"type\":\"ping\",\"i\":\"sentinel\"}";
    static final String SIO_SENTINEL = "42[\"sentinel\"]";
    static final String SIO = "?EIO=4&transport=websocket";

    static final String CHAT_SCHEMA = """
            {"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object",
             "required":["type","message"],
             "properties":{"type":{"const":"chat"},"message":{"type":"string","maxLength":20}},
             "additionalProperties":false}""";

    @BeforeAll
    static void start() throws Exception {
        e2e = E2e.start(dir, "", List.of(),
                "schemas/chat.json", CHAT_SCHEMA,
                "json.yaml", """
                        route:
                          path: /j/
                          upstream: { targets: ["${UP}/j/"], connect_timeout: 2s }
                        protocol: { kind: json, event: type }
                        events:
                          default: deny
                          notify: true
                          rules:
                            ping: {}
                            $default: {}
                            chat: { schema: schemas/chat.json }
                            small: { max_bytes: 64 }
                        """,
                // every rule needs the payload, so the gateway reads a tree first (the other json path)
                "tree.yaml", """
                        route:
                          path: /t/
                          upstream: { targets: ["${UP}/t/"], connect_timeout: 2s }
                        protocol: { kind: json, event: type }
                        events:
                          default: deny
                          notify: true
                          rules:
                            ping: { sanitize: { i: text } }
                            $default: { sanitize: { m: text } }
                        """,
                "sio.yaml", """
                        route:
                          path: /socket.io/
                          upstream: { targets: ["${UP}/sio/"], connect_timeout: 2s }
                        protocol: { kind: socketio, max_attachments: 2 }
                        events:
                          default: allow
                          notify: true
                          rules:
                            small: { max_bytes: 64 }
                        """,
                "origin.yaml", """
                        route:
                          path: /o/
                          upstream: { targets: ["${UP}/o/"], connect_timeout: 2s }
                          allowed_origins: ["https://good.example"]
                          allow_no_origin: false
                        """);
    }

    @AfterAll
    static void stop() {
        if (e2e != null) {
            e2e.close();
        }
    }

    // ---- JSON Schema

    @Test
    void schemaViolationsAreRefusedInvalidAndNeverReachTheUpstream() throws Exception {
        assertJsonRefused("schema", List.of(
                "{\"type\":\"chat\"}",
                "{\"type\":\"chat\",\"message\":5}",
                "{\"type\":\"chat\",\"message\":{\"toString\":\"x\"}}",
                "{\"type\":\"chat\",\"message\":[\"hi\"]}",
                "{\"type\":\"chat\",\"message\":\"" + "x".repeat(21) + "\"}",
                "{\"type\":\"chat\",\"message\":\"hi\",\"admin\":true}"));
        // control: the same event within the schema is forwarded
        assertJsonForwarded("schema-ok", "{\"type\":\"chat\",\"message\":\"" + "x".repeat(20) + "\"}");
    }

    // ---- duplicate keys and __proto__

    @Test
    void duplicateKeysAnywhereAreRefusedInvalidAndNeverReachTheUpstream() throws Exception {
        assertJsonRefused("dup", List.of(
                "{\"type\":\"ping\",\"a\":1,\"a\":2}",
                "{\"type\":\"ping\",\"a\":1,\"a\":1}",
                // the policy would judge one event, a JS upstream (last key wins) would run the other
                "{\"type\":\"ping\",\"type\":\"admin-kick\"}",
                "{\"type\":\"chat\",\"message\":\"hi\",\"type\":\"ping\"}",
                "{\"type\":\"ping\",\"x\":{\"y\":[{\"a\":1,\"a\":2}]}}",
                // the same key once spelled with an escape
                "{\"type\":\"ping\",\"\\u0061\":1,\"a\":2}",
                "{\"type\":\"ping\",\"\\u0074ype\":\"admin-kick\"}",
                // no event field ($default is allowed): still invalid
                "{\"a\":1,\"a\":2}",
                "[{\"a\":1,\"a\":2}]"));
        assertJsonForwarded("dup-ok", "{\"type\":\"ping\",\"a\":1,\"x\":{\"a\":2},\"y\":[{\"a\":3},{\"a\":4}]}");
    }

    @Test
    void protoKeysAnywhereAreRefusedInvalidAndNeverReachTheUpstream() throws Exception {
        assertJsonRefused("proto", List.of(
                "{\"type\":\"ping\",\"__proto__\":{\"admin\":true}}",
                "{\"type\":\"ping\",\"x\":[{\"__proto__\":null}]}",
                "{\"type\":\"ping\",\"x\":{\"y\":{\"__proto__\":1}}}",
                "{\"type\":\"ping\",\"\\u005f_proto__\":{\"admin\":true}}",
                "{\"type\":\"ping\",\"__proto\\u005f_\":{\"admin\":true}}",
                "{\"__proto__\":{\"type\":\"ping\"}}",
                "[{\"__proto__\":{\"admin\":true}}]"));
        // control: near-misses and the string value "__proto__" are ordinary
        assertJsonForwarded("proto-ok", "{\"type\":\"ping\",\"proto\":1,\"__proto\":2,\"_proto__\":3,\"v\":\"__proto__\"}");
    }

    @Test
    void socketIoDuplicateAndProtoKeysAreRefusedInvalidAndNeverReachTheUpstream() throws Exception {
        List<String> hostile = List.of(
                "42[\"chat\",{\"a\":1,\"a\":2}]",
                "42[\"chat\",[{\"x\":{\"a\":1,\"\\u0061\":2}}]]",
                "42[\"chat\",{\"__proto__\":{\"admin\":true}}]",
                "42[\"chat\",\"x\",{\"y\":[{\"\\u005f_proto__\":1}]}]",
                "42/admin,[\"chat\",{\"__proto__\":1}]",
                "421[\"chat\",{\"a\":1,\"a\":2}]");
        for (int i = 0; i < hostile.size(); i++) {
            String path = "dup-" + i;
            String packet = hostile.get(i);
            try (WsTestClient c = open("/socket.io/" + path + SIO)) {
                c.sendText(packet);
                List<WsTestClient.Frame> before = untilSentinel(c, SIO_SENTINEL);
                assertThat(texts(before)).as(packet).singleElement().asString()
                        .startsWith(packet.startsWith("42/admin,") ? "42/admin,[\"error\"" : "42[\"error\"")
                        .contains("\"code\":\"invalid\"");
            }
            assertThat(upstreamTexts("/sio/" + path)).as(packet).containsExactly(SIO_SENTINEL);
        }
        assertSioForwarded("dup-ok", "42[\"chat\",{\"a\":1,\"b\":{\"a\":2}},[{\"a\":3}],\"__proto__\"]");
    }

    // ---- per-event max_bytes

    @Test
    void jsonMessagesOverTheirEventsMaxBytesAreRefusedInvalidAndNeverReachTheUpstream() throws Exception {
        String exactly64 = padTo("{\"type\":\"small\",\"p\":\"", "x", "\"}", 64);
        assertThat(exactly64.getBytes(StandardCharsets.UTF_8)).hasSize(64);
        String over = padTo("{\"type\":\"small\",\"p\":\"", "x", "\"}", 65);
        // 62 characters, 71 bytes: the cap counts bytes, not characters
        String multibyte = "{\"type\":\"small\",\"p\":\"" + "\u00e9".repeat(9) + "x".repeat(30) + "\"}";
        assertThat(multibyte.length()).isLessThanOrEqualTo(64);
        assertThat(multibyte.getBytes(StandardCharsets.UTF_8).length).isGreaterThan(64);
        assertJsonRefused("size", List.of(over, multibyte, padTo("{\"type\":\"small\",\"p\":\"", "x", "\"}", 4000)));
        assertJsonForwarded("size-ok", exactly64);
    }

    @Test
    void socketIoPacketsOverTheirEventsMaxBytesAreRefusedAndNeverReachTheUpstream() throws Exception {
        String exactly64 = padTo("42[\"small\",\"", "x", "\"]", 64);
        String over = padTo("42[\"small\",\"", "x", "\"]", 65);
        try (WsTestClient c = open("/socket.io/size-0" + SIO)) {
            c.sendText(over);
            assertThat(texts(untilSentinel(c, SIO_SENTINEL))).singleElement().asString()
                    .startsWith("42[\"error\"").contains("\"code\":\"invalid\"");
        }
        assertThat(upstreamTexts("/sio/size-0")).containsExactly(SIO_SENTINEL);

        // a binary packet whose attachments take it over max_bytes: closed 1009, the attachment never forwarded
        String header = "451-[\"small\",{\"_placeholder\":true,\"num\":0}]";
        try (WsTestClient c = open("/socket.io/size-1" + SIO)) {
            c.sendText(header);
            c.channel().writeAndFlush(new BinaryWebSocketFrame(Unpooled.wrappedBuffer(new byte[100])));
            assertThat(c.closeCode(Duration.ofSeconds(10))).isEqualTo(1009);
        }
        awaitUpstreamClosed("/sio/size-1");
        assertThat(upstreamOn("/sio/size-1")).noneMatch(DemoUpstream.Received::binary);

        assertSioForwarded("size-ok", exactly64);
    }

    // ---- Socket.IO attachment count

    @Test
    void socketIoAttachmentCountOverTheCapCloses1008AndNothingOfThePacketReachesTheUpstream() throws Exception {
        List<String> hostile = List.of(
                "453-[\"up\",{\"_placeholder\":true,\"num\":0},{\"_placeholder\":true,\"num\":1},{\"_placeholder\":true,\"num\":2}]",
                "4599999999999999999999-[\"up\",{\"_placeholder\":true,\"num\":0}]",
                "463-1[{\"_placeholder\":true,\"num\":0},{\"_placeholder\":true,\"num\":1},{\"_placeholder\":true,\"num\":2}]",
                "450-[\"up\"]");
        for (int i = 0; i < hostile.size(); i++) {
            String path = "att-" + i;
            String packet = hostile.get(i);
            try (WsTestClient c = open("/socket.io/" + path + SIO)) {
                c.sendText("42[\"before\"]");
                assertThat(nextText(c)).isEqualTo("42[\"before\"]");
                c.sendText(packet);
                for (int a = 0; a < 3; a++) {
                    // not waited for: the gateway may already have closed the socket
                    c.channel().writeAndFlush(new BinaryWebSocketFrame(Unpooled.wrappedBuffer(new byte[]{(byte) a, 1, 2})));
                }
                assertThat(c.closeCode(Duration.ofSeconds(10))).as(packet).isEqualTo(1008);
            }
            awaitUpstreamClosed("/sio/" + path);
            List<DemoUpstream.Received> got = upstreamOn("/sio/" + path);
            assertThat(got).as(packet).noneMatch(DemoUpstream.Received::binary);
            assertThat(got.stream().map(DemoUpstream.Received::text)).as(packet).containsExactly("42[\"before\"]");
        }
        // control: at the cap, the packet and both attachments are forwarded
        String atCap = "452-[\"up\",{\"_placeholder\":true,\"num\":0},{\"_placeholder\":true,\"num\":1}]";
        try (WsTestClient c = open("/socket.io/att-ok" + SIO)) {
            c.sendText(atCap);
            c.sendBinary(new byte[]{0});
            c.sendBinary(new byte[]{1});
            untilSentinel(c, SIO_SENTINEL);
        }
        List<DemoUpstream.Received> got = upstreamOn("/sio/att-ok");
        assertThat(got).hasSize(4);
        assertThat(got.get(0).text()).isEqualTo(atCap);
        assertThat(got.get(1).binary()).isTrue();
        assertThat(got.get(2).binary()).isTrue();
        assertThat(got.get(3).text()).isEqualTo(SIO_SENTINEL);
    }

    // ---- invalid UTF-8 in binary frames on json routes

    @Test
    void invalidUtf8InBinaryFramesOnJsonRoutesIsRefusedInvalidAndNeverReachesTheUpstream() throws Exception {
        List<byte[]> hostile = List.of(
                inString(0xFF),                          // never valid in UTF-8
                inString(0xC0, 0xAF),                    // overlong "/"
                inString(0xE0, 0x80, 0xAF),              // overlong "/", three bytes
                inString(0xED, 0xA0, 0x80),              // a UTF-16 surrogate (CESU-8)
                inString(0xF4, 0x90, 0x80, 0x80),        // above U+10FFFF
                inString(0xE2, 0x82),                    // truncated sequence
                inString(0x80),                          // lone continuation byte
                bytes("{\"type\":\"ping\"}", 0xFF),      // after the closing brace
                bytes(0xFF, 0xFE, "not json"),           // not JSON either ($default is allowed)
                bytes("{\"type\":\"pi", 0xC3, "ng\"}")); // inside the event name
        for (int i = 0; i < hostile.size(); i++) {
            String path = "utf8-" + i;
            try (WsTestClient c = open("/j/" + path)) {
                c.sendBinary(hostile.get(i));
                List<WsTestClient.Frame> before = untilSentinel(c, SENTINEL);
                assertThat(before).as(path).singleElement().satisfies(f -> assertInvalidNotice(f.text()));
            }
            assertThat(upstreamOn("/j/" + path)).as(path).singleElement()
                    .satisfies(r -> assertThat(r.text()).isEqualTo(SENTINEL));
        }
        // control: valid UTF-8 in a binary frame is forwarded as binary, JSON or not ($default)
        for (String ok : List.of("{\"type\":\"ping\",\"x\":\"\u00e9\u20ac\uD83D\uDE00\"}", "caf\u00e9 not json")) {
            String path = "utf8-ok-" + ok.length();
            try (WsTestClient c = open("/j/" + path)) {
                c.sendBinary(ok.getBytes(StandardCharsets.UTF_8));
                List<WsTestClient.Frame> before = untilSentinel(c, SENTINEL);
                assertThat(before).singleElement().satisfies(f -> {
                    assertThat(f.type()).isEqualTo(WsTestClient.Type.BINARY);
                    assertThat(f.text()).isEqualTo(ok);
                });
            }
            List<DemoUpstream.Received> got = upstreamOn("/j/" + path);
            assertThat(got).hasSize(2);
            assertThat(got.get(0).binary()).isTrue();
            assertThat(got.get(0).data()).isEqualTo(ok.getBytes(StandardCharsets.UTF_8));
        }
    }

    /**
     * Text frames are the WebSocket layer's to check (RFC 6455: invalid UTF-8 in a text message fails the
     * connection): whatever the code, the frame never reaches the upstream.
     */
    @Test
    void invalidUtf8InTextFramesNeverReachesTheUpstream() throws Exception {
        int[] codes = new int[2];
        String[] paths = {"/j/text-utf8", "/socket.io/text-utf8" + SIO};
        byte[][] payloads = {inString(0xC0, 0xAF), bytes("42[\"chat\",\"", 0xED, 0xA0, 0x80, "\"]")};
        for (int i = 0; i < 2; i++) {
            try (WsTestClient c = open(paths[i])) {
                c.send(new TextWebSocketFrame(Unpooled.wrappedBuffer(payloads[i])));
                codes[i] = c.closeCode(Duration.ofSeconds(10));
            }
        }
        awaitUpstreamClosed("/j/text-utf8");
        awaitUpstreamClosed("/sio/text-utf8");
        assertThat(upstreamOn("/j/text-utf8")).isEmpty();
        assertThat(upstreamOn("/sio/text-utf8")).isEmpty();
        assertThat(codes).as("close codes (json, socketio)").containsOnly(1007);
    }

    // ---- handshakes: Origin and max_per_ip

    @Test
    void refusedOriginsGet403AndTheUpstreamSeesNoConnection() throws Exception {
        int acceptedBefore = e2e.upstream.accepted();
        int handshakesBefore = e2e.upstream.handshakes().size();
        List<String> hostile = new ArrayList<>(List.of("https://evil.example", "https://good.example.evil.example",
                "https://evil.example/https://good.example", "http://good.example", "https://good.example:8443",
                "null", "", "https://good.example/", "https://good.example.", "HTTPS://GOOD.EXAMPLE",
                "https://good.example, https://evil.example", "https://evil.example, https://good.example"));
        // (leading and trailing blanks are not a variant: HTTP strips them from every header value)
        hostile.add(null); // no Origin at all: allow_no_origin is false
        for (int i = 0; i < hostile.size(); i++) {
            String origin = hostile.get(i);
            // raw bytes: the Origin exactly as written, however odd
            String res = RawHttp.exchange(e2e.gateway.port(), RawHttp.upgrade("/o/x?probe=hostile-" + i,
                    origin == null ? "" : "Origin: " + origin + "\r\n").getBytes(StandardCharsets.ISO_8859_1), 10_000);
            assertThat(RawHttp.status(res)).as(origin + " -> " + res).isEqualTo(403);
            assertThat(RawHttp.body(res)).as(String.valueOf(origin)).contains("\"error\":\"forbidden\"");
        }
        // ordering: the allowed Origin after them is the next (and only) connection the upstream sees
        try (WsTestClient c = WsTestClient.to(e2e.ws("/o/x?probe=after")).header("Origin", "https://good.example").connect()) {
            E2e.assertEchoes(c, "after");
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> e2e.upstream.handshakes().size() > handshakesBefore);
        List<DemoUpstream.Handshake> hs = e2e.upstream.handshakes();
        assertThat(hs.subList(handshakesBefore, hs.size()).stream().map(DemoUpstream.Handshake::uri))
                .containsExactly("/o/x?probe=after");
        assertThat(e2e.upstream.accepted()).isEqualTo(acceptedBefore + 1);
    }

    @Test
    void connectionsOverMaxPerIpGet429AndTheUpstreamSeesNoConnection(@TempDir Path capDir) throws Exception {
        try (E2e cap = E2e.start(capDir, "connections: { max_per_ip: 1 }\n", List.of(), "cap.yaml", """
                route:
                  path: /c/
                  upstream: { targets: ["${UP}/c/"], connect_timeout: 2s }
                """)) {
            WsTestClient first = WsTestClient.to(cap.ws("/c/x?probe=first")).connect();
            E2e.assertEchoes(first, "first");
            for (int i = 0; i < 3; i++) {
                WsTestClient.Refused r = cap.refused(WsTestClient.to(cap.ws("/c/x?probe=excess-" + i)), 429);
                assertThat(r.headers.get("Retry-After")).isNotBlank();
            }
            // the first still works after the refusals
            E2e.assertEchoes(first, "still");
            first.close();
            // once the first is gone a new one is let in (retried: the gateway releases the slot on its own time)
            WsTestClient[] after = new WsTestClient[1];
            await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100)).until(() -> {
                try {
                    after[0] = WsTestClient.to(cap.ws("/c/x?probe=after")).connect();
                    return true;
                } catch (WsTestClient.Refused r) {
                    assertThat(r.status).isEqualTo(429);
                    return false;
                }
            });
            try (WsTestClient c = after[0]) {
                E2e.assertEchoes(c, "after");
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> cap.upstream.handshakes().size() >= 2);
            assertThat(cap.upstream.handshakes().stream().map(DemoUpstream.Handshake::uri))
                    .containsExactly("/c/x?probe=first", "/c/x?probe=after");
            assertThat(cap.upstream.accepted()).isEqualTo(2);
        }
    }

    // ---- helpers

    /** A client on a public route, without any token. */
    static WsTestClient open(String pathAndQuery) throws Exception {
        return WsTestClient.to(e2e.ws(pathAndQuery)).connect();
    }

    /** Each message on its own connection: a notice {@code invalid}, and the upstream records only the sentinel. */
    static void assertJsonRefused(String name, List<String> hostile) throws Exception {
        assertJsonRefused("/j/", name, hostile);
    }

    static void assertJsonRefused(String route, String name, List<String> hostile) throws Exception {
        for (int i = 0; i < hostile.size(); i++) {
            String path = name + "-" + i;
            String msg = hostile.get(i);
            try (WsTestClient c = open(route + path)) {
                c.sendText(msg);
                List<WsTestClient.Frame> before = untilSentinel(c, SENTINEL);
                assertThat(before).as(msg).singleElement().satisfies(f -> assertInvalidNotice(f.text()));
            }
            assertThat(upstreamTexts(route + path)).as(msg).containsExactly(SENTINEL);
        }
    }

    // ---- sanitize reaches strings inside arrays and objects (finding 5)

    @Test
    void markupInsideArraysAndObjectsUnderASanitizedFieldIsSanitizedBeforeTheUpstreamSeesIt() throws Exception {
        String hostile = "{\"kind\":\"x\",\"m\":[\"<img src=x onerror=alert(1)>hi\",{\"deep\":\"<script>x()</script>ok\"}]}";
        try (WsTestClient c = open("/t/san")) {
            c.sendText(hostile);
            assertThat(texts(untilSentinel(c, SENTINEL))).containsExactly("{\"kind\":\"x\",\"m\":[\"hi\",{\"deep\":\"ok\"}]}");
        }
        assertThat(upstreamTexts("/t/san")).containsExactly("{\"kind\":\"x\",\"m\":[\"hi\",{\"deep\":\"ok\"}]}", SENTINEL)
                .noneMatch(t -> t.contains("<"));
    }

    // ---- a notice never splits an upstream message sent in fragments (finding 8)

    @Test
    void aNoticeWaitsForTheLastFragmentOfAnUpstreamMessage() throws Exception {
        try (WsTestClient c = open("/j/frag")) {
            c.sendText(SENTINEL);
            assertThat(c.next().text()).isEqualTo(SENTINEL);
            io.netty.channel.Channel up = e2e.upstream.handshakes().stream()
                    .filter(h -> h.uri().endsWith("/j/frag")).findFirst().orElseThrow().channel();
            up.writeAndFlush(new io.netty.handler.codec.http.websocketx.TextWebSocketFrame(false, 0,
                    io.netty.buffer.Unpooled.copiedBuffer("{\"type\":\"pi", java.nio.charset.StandardCharsets.UTF_8)));
            WsTestClient.Frame first = c.next();
            assertThat(first.type()).isEqualTo(WsTestClient.Type.TEXT);
            assertThat(first.fin()).isFalse();
            c.sendText("{\"type\":\"nope-frag\"}");   // refused: its notice must not land inside the message
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5))
                    .until(() -> e2e.gateway.metrics().scrape().contains("event=\"nope-frag\""));
            up.writeAndFlush(new io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame(true, 0,
                    io.netty.buffer.Unpooled.copiedBuffer("ng\"}", java.nio.charset.StandardCharsets.UTF_8)));
            WsTestClient.Frame last = c.next();
            assertThat(last.type()).isEqualTo(WsTestClient.Type.CONTINUATION);
            assertThat(last.fin()).isTrue();
            assertThat(last.text()).isEqualTo("ng\"}");
            assertThat(c.next().text()).startsWith("{\"type\":\"error\",\"code\":\"unknown_event\"");
        }
    }

    // ---- event values that are not strings (finding 10)

    @Test
    void eventValuesThatAreNotStringsAreInvalidWhateverDefaultAllows() throws Exception {
        List<String> hostile = List.of(
                // a JS upstream doing handlers[msg.type] runs admin-kick for ["admin-kick"]
                "{\"type\":[\"admin-kick\"]}",
                "{\"type\":{\"toString\":1}}",
                "{\"type\":null}",
                "{\"type\":1}",
                "{\"type\":true}");
        assertJsonRefused("/j/", "nonstring", hostile);   // scanner path
        assertJsonRefused("/t/", "nonstring", hostile);   // tree path
        // control: no event field at all is $default, forwarded where $default is allowed
        assertJsonForwarded("nonstring-ok", "{\"kind\":[\"admin-kick\"]}");
    }

    static void assertJsonForwarded(String path, String msg) throws Exception {
        try (WsTestClient c = open("/j/" + path)) {
            c.sendText(msg);
            assertThat(texts(untilSentinel(c, SENTINEL))).containsExactly(msg);
        }
        assertThat(upstreamTexts("/j/" + path)).containsExactly(msg, SENTINEL);
    }

    static void assertSioForwarded(String path, String packet) throws Exception {
        try (WsTestClient c = open("/socket.io/" + path + SIO)) {
            c.sendText(packet);
            assertThat(texts(untilSentinel(c, SIO_SENTINEL))).containsExactly(packet);
        }
        assertThat(upstreamTexts("/sio/" + path)).containsExactly(packet, SIO_SENTINEL);
    }

    static void assertInvalidNotice(String text) {
        assertThat(text).startsWith("{\"type\":\"error\",\"code\":\"invalid\"");
    }

    /**
     * Sends {@code sentinel} and returns the data frames received before its echo: once it is back, the upstream
     * has recorded everything sent before it on this connection.
     */
    static List<WsTestClient.Frame> untilSentinel(WsTestClient c, String sentinel) throws InterruptedException {
        c.sendText(sentinel);
        List<WsTestClient.Frame> before = new ArrayList<>();
        while (true) {
            WsTestClient.Frame f = c.next(Duration.ofSeconds(10));
            if (f.type() == WsTestClient.Type.PING || f.type() == WsTestClient.Type.PONG) {
                continue;
            }
            assertThat(f.type()).as("closed before the sentinel came back: %s", before)
                    .isNotEqualTo(WsTestClient.Type.CLOSE);
            if (f.type() == WsTestClient.Type.TEXT && f.text().equals(sentinel)) {
                return before;
            }
            before.add(f);
        }
    }

    static String nextText(WsTestClient c) throws InterruptedException {
        WsTestClient.Frame f = c.next(Duration.ofSeconds(10));
        assertThat(f.type()).isEqualTo(WsTestClient.Type.TEXT);
        return f.text();
    }

    static List<String> texts(List<WsTestClient.Frame> frames) {
        return frames.stream().map(WsTestClient.Frame::text).toList();
    }

    static List<DemoUpstream.Received> upstreamOn(String upstreamPath) {
        return e2e.upstream.received().stream().filter(r -> upstreamPath.equals(r.path())).toList();
    }

    static List<String> upstreamTexts(String upstreamPath) {
        return upstreamOn(upstreamPath).stream().map(DemoUpstream.Received::text).toList();
    }

    /**
     * Waits until the upstream's side of the (one) connection on {@code upstreamPath} has closed: it has read
     * everything the gateway sent on it, so its record for that path is complete.
     */
    static void awaitUpstreamClosed(String upstreamPath) {
        await().atMost(Duration.ofSeconds(10)).until(() -> e2e.upstream.handshakes().stream()
                .anyMatch(h -> h.uri().startsWith(upstreamPath) && (h.uri().length() == upstreamPath.length()
                        || h.uri().charAt(upstreamPath.length()) == '?')));
        DemoUpstream.Handshake h = e2e.upstream.handshakes().stream()
                .filter(x -> x.uri().equals(upstreamPath) || x.uri().startsWith(upstreamPath + "?"))
                .reduce((a, b) -> b).orElseThrow();
        assertThat(h.channel().closeFuture().awaitUninterruptibly(10_000)).as("upstream side of " + upstreamPath + " closed")
                .isTrue();
    }

    /** {@code {"type":"ping","x":"<bytes>"}} as raw bytes. */
    static byte[] inString(int... raw) {
        Object[] parts = new Object[raw.length + 2];
        parts[0] = "{\"type\":\"ping\",\"x\":\"a";
        for (int i = 0; i < raw.length; i++) {
            parts[i + 1] = raw[i];
        }
        parts[raw.length + 1] = "b\"}";
        return bytes(parts);
    }

    /** Strings as UTF-8, Integers as one raw byte each. */
    static byte[] bytes(Object... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Object p : parts) {
            if (p instanceof Integer b) {
                out.write(b);
            } else {
                out.writeBytes(((String) p).getBytes(StandardCharsets.UTF_8));
            }
        }
        return out.toByteArray();
    }

    static String padTo(String head, String unit, String tail, int bytes) {
        StringBuilder b = new StringBuilder(head);
        while (b.length() + tail.length() < bytes) {
            b.append(unit);
        }
        return b.append(tail).toString();
    }
}
