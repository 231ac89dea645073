package io.wsgate.server;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.wsgate.testing.PolicyDir;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** What {@code check} warns about is also a WARN line when the gateway starts. */
class StartWarningsTest {
    private static final Path PROJECT = Path.of(System.getProperty("wsgate.projectDir", "."));

    @Test
    void aRouteTrustingThePublishedDevelopmentKeyIsAWarnAtStart(@TempDir Path dir) throws Exception {
        PolicyDir.in(dir).write("chat.yaml", """
                route:
                  path: /chat
                  upstream: { targets: ["ws://127.0.0.1:1/chat"] }
                auth:
                  jwt: { algorithms: [RS256], jwks_file: keys/dev-jwks.json }
                rate_limits:
                  per_ip: { messages: { limit: 10, per: 1s } }
                events: { default: allow }
                """);
        Files.createDirectories(dir.resolve("keys"));
        Files.copy(PROJECT.resolve("policies/keys/dev-jwks.json"), dir.resolve("keys/dev-jwks.json"));

        Logger logger = (Logger) LoggerFactory.getLogger(Gateway.class);
        ListAppender<ILoggingEvent> logged = new ListAppender<>();
        logged.start();
        logger.addAppender(logged);
        try (Gateway gw = Gateway.start(dir, Map.<String, String>of()::get)) {
            assertThat(gw.port()).isPositive();
        } finally {
            logger.detachAppender(logged);
        }
        assertThat(logged.list).filteredOn(e -> e.getLevel() == Level.WARN).extracting(ILoggingEvent::getFormattedMessage)
                .containsExactly("chat.yaml:5: auth.jwt.jwks_file: keys/dev-jwks.json holds the published development key "
                        + "(kid wsgate-dev-1): anyone can sign tokens this route accepts; use your identity provider's keys "
                        + "outside development");
    }
}
