package io.wsgate.bench;

import io.wsgate.config.Durations;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

import java.time.Duration;

/** The policy file's duration syntax ({@link Durations#parse}). */
public final class DurationConverter implements ITypeConverter<Duration> {

    @Override
    public Duration convert(String value) {
        Duration d = Durations.parse(value.trim());
        if (d == null) {
            throw new TypeConversionException("'" + value + "' is not a duration like 500ms, 30s, 2m, 1h");
        }
        return d;
    }
}
