package io.wsgate.bench;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(60)
class LoadGeneratorTest {
    private static EchoServer echo;

    @BeforeAll
    static void startEcho() throws InterruptedException {
        echo = EchoServer.start("127.0.0.1", 0, 1, 1 << 20);
    }

    @AfterAll
    static void stopEcho() {
        echo.close();
    }

    private static String url() {
        return "ws://127.0.0.1:" + echo.port() + "/echo";
    }

    private static LoadOptions closedLoop(int connections, long messages, int size, int inFlight, String template,
                                          boolean binary) {
        return new LoadOptions(url(), connections, messages, size, 0, inFlight, Duration.ofSeconds(30), List.of(),
                template, binary, 1, 50);
    }

    @Test
    void closedLoopGetsEveryMessageBackAndRecordsEachLatency() throws InterruptedException {
        LoadResult r = LoadGenerator.run(closedLoop(4, 100, 128, 1, null, false));

        assertThat(r.errors()).isEmpty();
        assertThat(r.established()).isEqualTo(4);
        assertThat(r.sent()).isEqualTo(400);
        assertThat(r.received()).isEqualTo(400);
        assertThat(r.completed()).isEqualTo(400);
        assertThat(r.latency().getTotalCount()).isEqualTo(400);
        assertThat(r.percentile(50)).isPositive();
        assertThat(r.latency().getMaxValue()).isGreaterThanOrEqualTo(r.percentile(99));
        assertThat(r.messageBytes()).isEqualTo(128);
        assertThat(r.throughput()).isPositive();
        assertThat(r.timedOut()).isFalse();
    }

    @Test
    void severalInFlightWithATemplateAndBinaryFrames() throws InterruptedException {
        String template = "{\"type\":\"send-message\",\"room\":\"r\",\"message\":\"%s\"}";
        LoadResult text = LoadGenerator.run(closedLoop(3, 100, 200, 8, template, false));
        LoadResult binary = LoadGenerator.run(closedLoop(2, 150, 1000, 5, null, true));

        assertThat(text.errors()).isEmpty();
        assertThat(text.completed()).isEqualTo(300);
        assertThat(text.messageBytes()).isEqualTo(200);
        assertThat(binary.errors()).isEmpty();
        assertThat(binary.completed()).isEqualTo(300);
    }

    @Test
    void openLoopPacesAtTheRateAndMeasuresFromIntendedSendTime() throws InterruptedException {
        // 300 messages at 1,000/s total: the run cannot finish much before 0.3 s.
        var o = new LoadOptions(url(), 3, 100, 64, 1000, 64, Duration.ofSeconds(30), List.of(), null, false, 1, 10);
        LoadResult r = LoadGenerator.run(o);

        assertThat(r.errors()).isEmpty();
        assertThat(r.completed()).isEqualTo(300);
        assertThat(r.elapsedNanos()).isGreaterThanOrEqualTo(Duration.ofMillis(290).toNanos());
        assertThat(r.percentile(99.9)).isPositive();
    }

    @Test
    void aRelayThatAltersOneByteGetsEveryReplyCountedAsMismatch() throws InterruptedException {
        try (ManglingServer mangler = new ManglingServer()) {
            var o = new LoadOptions("ws://127.0.0.1:" + mangler.port() + "/", 2, 50, 64, 0, 4, Duration.ofSeconds(20),
                    List.of(), null, false, 1, 10);
            LoadResult r = LoadGenerator.run(o);

            assertThat(r.received()).isEqualTo(100);
            assertThat(r.completed()).isZero();
            assertThat(r.errors()).containsEntry("mismatch", 100L);
        }
    }

    @Test
    void aReplyOfAnotherShapeIsNotAnEcho() {
        Payload sent = Payload.of(64, "a%sb");
        Payload other = Payload.of(64, "c%sd");
        var buf = other.encode(io.netty.buffer.UnpooledByteBufAllocator.DEFAULT, 1, 7);
        try {
            assertThat(buf.readableBytes()).isEqualTo(64);
            assertThat(sent.decodeId(buf)).isEqualTo(-1);
            assertThat(other.decodeId(buf)).isEqualTo(Payload.id(1, 7));
        } finally {
            buf.release();
        }
    }

    @Test
    void theDurationLimitStopsARunThatCannotFinish() throws InterruptedException {
        // Open loop at 20 msgs/s total would need 50 s for 1,000 messages; the limit cuts it at 1 s.
        var o = new LoadOptions(url(), 2, 500, 64, 20, 16, Duration.ofSeconds(1), List.of(), null, false, 1, 10);
        long start = System.nanoTime();
        LoadResult r = LoadGenerator.run(o);

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
        assertThat(r.timedOut()).isTrue();
        assertThat(r.completed()).isBetween(1L, 999L);
        assertThat(r.errors()).containsKey("unfinished");
        assertThat(r.errors().get("unfinished")).isEqualTo(1000 - r.received());
    }

    @Test
    void aRefusedConnectionIsReportedNotHidden() throws Exception {
        int closedPort;
        try (var s = new java.net.ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        var o = new LoadOptions("ws://127.0.0.1:" + closedPort + "/", 2, 10, 64, 0, 1, Duration.ofSeconds(10),
                List.of(), null, false, 1, 10);
        LoadResult r = LoadGenerator.run(o);

        assertThat(r.established()).isZero();
        assertThat(r.errors()).containsEntry("connect", 2L);
        assertThat(r.completed()).isZero();
    }

    @Test
    void idleHoldsConnectionsAndReadsItsOwnMemory() throws InterruptedException {
        long self = ProcessHandle.current().pid();
        var o = new IdleOptions(url(), 50, Duration.ofMillis(200), Duration.ofSeconds(20), List.of(),
                List.of(self), false, 1, 20, 10, null);
        IdleResult r = IdleBench.run(o);

        assertThat(r.errors()).isEmpty();
        assertThat(r.established()).isEqualTo(50);
        assertThat(r.echoedAtEnd()).isEqualTo(50);
        assertThat(r.closedWhileHeld()).isZero();
        assertThat(r.before().rssKb()).isPositive();
        // This JVM holds the 50 client sockets: its open files grew by at least that much.
        assertThat(r.after().openFiles() - r.before().openFiles()).isGreaterThanOrEqualTo(50);
    }

    @Test
    void idleCheckMessageFollowsTheTemplate() throws InterruptedException {
        var o = new IdleOptions(url(), 5, Duration.ZERO, Duration.ofSeconds(20), List.of(), List.of(), false, 1, 5, 0,
                "{\"type\":\"send-message\",\"room\":\"r\",\"message\":\"%s\"}");
        IdleResult r = IdleBench.run(o);

        assertThat(r.errors()).isEmpty();
        assertThat(r.echoedAtEnd()).isEqualTo(5);
        assertThat(r.before()).isNull();
    }
}
