package io.wsgate.config;

import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** policies/schema/*.schema.json (for editors) accept the shipped files and reject what the loader rejects. */
class EditorSchemaTest {
    private static final Path SHIPPED = ShippedPoliciesTest.SHIPPED;

    private static Schema schema(String name) throws IOException {
        return SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_7)
                .getSchema(Files.readString(SHIPPED.resolve("schema/" + name + ".schema.json")));
    }

    private static List<Error> validate(String schema, String yaml) throws IOException {
        return schema(schema).validate(yaml, InputFormat.YAML);
    }

    @Test
    void shippedFilesMatchTheirSchemas() throws IOException {
        assertThat(validate("gateway", Files.readString(SHIPPED.resolve("gateway.yaml")))).isEmpty();
        for (String route : List.of("echo.yaml", "chat.yaml", "socketio.yaml")) {
            assertThat(validate("route", Files.readString(SHIPPED.resolve(route)))).as(route).isEmpty();
        }
    }

    @Test
    void schemasRejectTyposAndBadValues() throws IOException {
        String head = "route:\n  path: /a\n  upstream: { targets: [ws://h:1/] }\n";
        assertThat(validate("route", head)).isEmpty();
        assertThat(validate("route", head + "  max_mesage_bytes: 10\n")).isNotEmpty();
        assertThat(validate("route", head + "protocol: { kind: graphql }\n")).isNotEmpty();
        assertThat(validate("route", head + "rate_limits: { per_ip: { messages: { limit: 1, per: 5 seconds } } }\n")).isNotEmpty();
        assertThat(validate("route", "route:\n  path: a\n  upstream: { targets: [http://h/] }\n")).hasSizeGreaterThanOrEqualTo(2);
        assertThat(validate("gateway", "listen: { port: 70000 }\n")).isNotEmpty();
        assertThat(validate("gateway", "listen: { port: 80 }\nmetrics: true\n")).isNotEmpty();
        assertThat(validate("gateway", "shutdown: { drain_delay: 0s, drain_timeout: 1m }\n")).isEmpty();
        assertThat(validate("gateway", "shutdown: { drain_dealy: 5s }\n")).isNotEmpty();
        assertThat(validate("gateway", "admin: { console: true }\n")).isEmpty();
        assertThat(validate("gateway", "admin: { console: yes please }\n")).isNotEmpty();
        assertThat(validate("gateway", "admin: { consol: true }\n")).isNotEmpty();
        String tls = "listen:\n  tls:\n    cert_file: gw.pem\n    key_file: gw.key\n";
        assertThat(validate("gateway", tls + "    min_version: TLSv1.3\n    ciphers: [TLS_AES_128_GCM_SHA256]\n"
                + "    client_ca_file: ca.pem\n    client_auth: require\n")).isEmpty();
        assertThat(validate("gateway", tls + "    client_auth: none\n")).isEmpty();
        assertThat(validate("gateway", tls + "    min_version: TLSv1.1\n")).isNotEmpty();
        assertThat(validate("gateway", tls + "    min_version: \"1.3\"\n")).isNotEmpty();
        assertThat(validate("gateway", tls + "    ciphers: TLS_AES_128_GCM_SHA256\n")).isNotEmpty();
        assertThat(validate("gateway", tls + "    ciphers: []\n")).isNotEmpty();
        assertThat(validate("gateway", tls + "    client_auth: always\n    client_ca_file: ca.pem\n")).isNotEmpty();
        assertThat(validate("gateway", tls + "    client_auth: require\n")).isNotEmpty();
        assertThat(validate("gateway", tls + "    client_auth: optional\n")).isNotEmpty();
        assertThat(validate("gateway", tls + "    client_ca: ca.pem\n")).isNotEmpty();
    }
}
