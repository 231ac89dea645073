package io.wsgate.proxy;

import io.wsgate.demo.DemoUpstream;
import io.wsgate.testing.Harness;
import io.wsgate.testing.TestPolicy;
import io.wsgate.testing.WsTestClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** RFC 6455 violations from the client: the gateway closes with the matching code and forwards nothing. */
class ProxyProtocolViolationTest {
    private DemoUpstream up;
    private Harness gw;

    @BeforeEach
    void start() throws Exception {
        up = Harness.upstream();
        gw = new Harness(TestPolicy.gateway().route("/echo", Harness.target(up, "/echo")).build());
    }

    @AfterEach
    void stop() {
        gw.close();
        up.close();
    }

    /** A frame as bytes; {@code masked} false produces the unmasked frame a server must refuse. */
    static byte[] frame(int first, byte[] payload, boolean masked) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(first);
        int len = payload.length;
        int maskBit = masked ? 0x80 : 0;
        if (len < 126) {
            out.write(maskBit | len);
        } else {
            out.write(maskBit | 126);
            out.write(len >> 8);
            out.write(len & 0xff);
        }
        byte[] key = {0x11, 0x22, 0x33, 0x44};
        if (masked) {
            out.write(key, 0, 4);
        }
        for (int i = 0; i < len; i++) {
            out.write(masked ? payload[i] ^ key[i % 4] : payload[i]);
        }
        return out.toByteArray();
    }

    static Stream<Arguments> violations() {
        return Stream.of(
                Arguments.of("unmasked text frame", frame(0x81, "hi".getBytes(), false), 1002),
                Arguments.of("reserved bit RSV1 without an extension", frame(0xC1, "hi".getBytes(), true), 1002),
                Arguments.of("reserved opcode 0x3", frame(0x83, "hi".getBytes(), true), 1002),
                Arguments.of("invalid UTF-8 in a text frame", frame(0x81, new byte[]{(byte) 0xC3, 0x28}, true), 1007),
                Arguments.of("ping longer than 125 bytes", frame(0x89, new byte[126], true), 1002),
                Arguments.of("fragmented ping", frame(0x09, "p".getBytes(), true), 1002),
                Arguments.of("continuation without a start", frame(0x80, "x".getBytes(), true), 1002),
                // a close frame was received: the connection is failed without a close frame of ours (-1)
                Arguments.of("close code 999", frame(0x88, new byte[]{0x03, (byte) 0xE7}, true), -1));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("violations")
    void violationClosesWithCodeAndForwardsNothing(String name, byte[] bytes, int code) throws Exception {
        try (WsTestClient c = WsTestClient.to(gw.ws("/echo")).connect()) {
            c.sendRaw(bytes);
            assertThat(c.closeCode()).as(name).isEqualTo(code);
            assertThat(c.awaitClosed(java.time.Duration.ofSeconds(5))).isTrue();
        }
        Thread.sleep(100);
        assertThat(up.received()).as(name).isEmpty();
    }
}
