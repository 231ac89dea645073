package io.wsgate.limits;

import io.wsgate.config.GatewayConfig.AuthFailures;
import io.wsgate.testing.ManualTime;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

class AuthFailureMeterTest {
    private final ManualTime clock = new ManualTime(1_000_000_000L);
    private final AtomicReference<AuthFailures> config = new AtomicReference<>(new AuthFailures(3, Duration.ofMinutes(1)));
    private final AuthFailureMeter meter = new AuthFailureMeter(config::get, clock, 1000);

    @Test
    void onlyFailuresSpendTheBudgetAndItRefillsGreedily() {
        for (int i = 0; i < 10; i++) {
            assertThat(meter.retryAfterMillis("10.0.0.1")).as("asking costs nothing").isZero();
        }
        assertThat(meter.trackedIps()).as("an IP without failures is not even tracked").isZero();
        for (int i = 0; i < 3; i++) {
            assertThat(meter.retryAfterMillis("10.0.0.1")).isZero();
            meter.failed("10.0.0.1");
        }
        // 3 per minute: one token back every 20 s
        assertThat(meter.retryAfterMillis("10.0.0.1")).isEqualTo(20_000);
        assertThat(meter.retryAfterMillis("10.0.0.2")).as("other IPs have their own budget").isZero();
        clock.advance(Duration.ofSeconds(15));
        assertThat(meter.retryAfterMillis("10.0.0.1")).isEqualTo(5_000);
        clock.advance(Duration.ofSeconds(5));
        assertThat(meter.retryAfterMillis("10.0.0.1")).isZero();
        meter.failed("10.0.0.1");
        assertThat(meter.retryAfterMillis("10.0.0.1")).isPositive();
        assertThat(meter.failures()).isEqualTo(4);
        assertThat(meter.refusals()).isEqualTo(3);
    }

    @Test
    void failuresBeyondTheBudgetKeepItEmptyButDoNotGoIntoDebt() {
        for (int i = 0; i < 50; i++) {
            meter.failed("10.0.0.1");
        }
        clock.advance(Duration.ofSeconds(20));
        assertThat(meter.retryAfterMillis("10.0.0.1")).as("one token back after 20 s, however many failures").isZero();
    }

    @Test
    void limitZeroTurnsItOffAndAReloadKeepsTheSpentFraction() {
        for (int i = 0; i < 3; i++) {
            meter.failed("10.0.0.1");
        }
        config.set(AuthFailures.OFF);
        assertThat(meter.retryAfterMillis("10.0.0.1")).isZero();
        meter.failed("10.0.0.1");
        assertThat(meter.failures()).as("still counted while off").isEqualTo(4);

        config.set(new AuthFailures(30, Duration.ofMinutes(1)));
        // the bucket was empty: PROPORTIONALLY keeps it empty under the larger limit (no refill by reload)
        assertThat(meter.retryAfterMillis("10.0.0.1")).isEqualTo(2_000);
        clock.advance(Duration.ofSeconds(2));
        assertThat(meter.retryAfterMillis("10.0.0.1")).isZero();
    }

    @Test
    void idleIpsAreForgottenOnceFullAndTheMapIsBounded() {
        meter.failed("10.0.0.1");
        assertThat(meter.trackedIps()).isEqualTo(1);
        clock.advance(Duration.ofMinutes(2));
        assertThat(meter.trackedIps()).isZero();

        AuthFailureMeter small = new AuthFailureMeter(config::get, clock, 10);
        for (int i = 0; i < 1000; i++) {
            small.failed("10.1." + (i / 256) + "." + (i % 256));
        }
        assertThat(small.trackedIps()).isLessThanOrEqualTo(10);
    }

    @Test
    void noneNeverRefusesAndANullConfigOrIpIsOff() {
        AuthFailureMeter.NONE.failed("10.0.0.1");
        assertThat(AuthFailureMeter.NONE.retryAfterMillis("10.0.0.1")).isZero();
        AuthFailureMeter nul = new AuthFailureMeter(() -> null, clock, 10);
        nul.failed("10.0.0.1");
        assertThat(nul.retryAfterMillis("10.0.0.1")).isZero();
        meter.failed(null);
        assertThat(meter.retryAfterMillis(null)).isZero();
    }
}
