package io.wsgate.testing;

import io.github.bucket4j.TimeMeter;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;

/** A java.time.Clock and a Bucket4j TimeMeter on the same manual time, moved only by {@link #advance}. */
public final class ManualTime extends Clock implements TimeMeter {
    private final AtomicLong nanos;

    public ManualTime(long startNanos) {
        this.nanos = new AtomicLong(startNanos);
    }

    public ManualTime(Instant start) {
        this(start.toEpochMilli() * 1_000_000L);
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }

    @Override
    public Instant instant() {
        return Instant.ofEpochMilli(nanos.get() / 1_000_000L);
    }

    @Override
    public long currentTimeNanos() {
        return nanos.get();
    }

    @Override
    public boolean isWallClockBased() {
        return false;
    }

    public void advance(Duration d) {
        advanceNanos(d.toNanos());
    }

    /** Allocation-free form, for tests that count allocations. */
    public void advanceNanos(long n) {
        nanos.addAndGet(n);
    }
}
