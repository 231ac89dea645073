package io.wsgate.server;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.Encoder;
import io.wsgate.config.GatewayConfig;
import org.slf4j.LoggerFactory;

import java.util.function.Function;

/**
 * Applies {@code logging} to the stderr appender of logback.xml: the root level ({@code WSGATE_LOG_LEVEL}, when
 * set, wins, so a level can be raised without editing the policy) and the encoder, a pattern or Logback's own
 * {@link JsonEncoder} (one JSON object per line). Applied at start and after every reload.
 */
final class LogSetup {
    static final String PATTERN = "%d{HH:mm:ss.SSS} %-5level %logger{24} - %msg%n";
    private static volatile GatewayConfig.LogFormat applied = GatewayConfig.LogFormat.TEXT;

    private LogSetup() {
    }

    static void apply(GatewayConfig.Logging logging, Function<String, String> env) {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext ctx)) {
            return; // another SLF4J binding: its own configuration decides
        }
        Logger root = ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        String fromEnv = env.apply("WSGATE_LOG_LEVEL");
        root.setLevel(Level.toLevel(fromEnv != null && !fromEnv.isBlank() ? fromEnv : logging.level(), Level.INFO));
        if (logging.format() == applied) {
            return;
        }
        if (root.getAppender("STDERR") instanceof ConsoleAppender<ILoggingEvent> stderr) {
            Encoder<ILoggingEvent> encoder = encoder(ctx, logging.format());
            stderr.stop();
            stderr.setEncoder(encoder);
            stderr.start();
            applied = logging.format();
        }
    }

    private static Encoder<ILoggingEvent> encoder(LoggerContext ctx, GatewayConfig.LogFormat format) {
        if (format == GatewayConfig.LogFormat.JSON) {
            JsonEncoder json = new JsonEncoder();
            json.setContext(ctx);
            json.setWithFormattedMessage(true); // the line as text, beside the raw pattern and its arguments
            json.start();
            return json;
        }
        PatternLayoutEncoder text = new PatternLayoutEncoder();
        text.setContext(ctx);
        text.setPattern(PATTERN);
        text.start();
        return text;
    }
}
