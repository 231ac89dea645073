package io.wsgate.config;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static io.wsgate.config.PolicyFixtures.write;
import static org.assertj.core.api.Assertions.assertThat;

/** {@code listen.tls} options: defaults, values resolved like cert_file, and every mistake at its {@code file:line}. */
class ListenTlsConfigTest {
    private static final String FILES = "    cert_file: gw.pem\n    key_file: gw.key\n";
    private static final String NAMES = " (use the JDK's names, e.g. TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 or TLS_AES_128_GCM_SHA256)";

    @TempDir
    Path dir;

    @BeforeEach
    void files() {
        // the loader checks that the files exist; their contents are the listener's business
        write(dir, "gw.pem", "cert\n");
        write(dir, "gw.key", "key\n");
        write(dir, "certs/clients.pem", "ca\n");
        write(dir, "r.yaml", PolicyFixtures.MINIMAL_ROUTE);
    }

    private List<String> problems(String gatewayYaml) {
        write(dir, "gateway.yaml", gatewayYaml);
        return PolicyFixtures.problems(dir, Map.of()).stream().map(ConfigProblem::toString).toList();
    }

    private GatewayConfig.Tls load(String gatewayYaml) throws PolicyException {
        write(dir, "gateway.yaml", gatewayYaml);
        return PolicyFixtures.loader(Map.of()).load(dir, 1).gateway().listen().tls();
    }

    @Test
    void defaultsAreTls12AndUpTheJdkSuitesAndNoClientCertificates() throws PolicyException {
        GatewayConfig.Tls tls = load("listen:\n  tls:\n" + FILES);
        Path base = dir.toAbsolutePath().normalize();
        assertThat(tls).isEqualTo(new GatewayConfig.Tls(base.resolve("gw.pem"), base.resolve("gw.key"),
                "TLSv1.2", List.of(), null, GatewayConfig.ClientAuth.NONE));
        assertThat(tls.protocols()).containsExactly("TLSv1.3", "TLSv1.2");
    }

    @Test
    void valuesAreReadAndTheClientCaResolvedAgainstTheFolder() throws PolicyException {
        GatewayConfig.Tls tls = load("listen:\n  tls:\n" + FILES + """
                    min_version: TLSv1.3
                    ciphers: [TLS_AES_256_GCM_SHA384, TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256]
                    client_ca_file: ./certs/../certs/clients.pem
                    client_auth: require
                """);
        Path base = dir.toAbsolutePath().normalize();
        assertThat(tls).isEqualTo(new GatewayConfig.Tls(base.resolve("gw.pem"), base.resolve("gw.key"), "TLSv1.3",
                List.of("TLS_AES_256_GCM_SHA384", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"),
                base.resolve("certs/clients.pem"), GatewayConfig.ClientAuth.REQUIRE));
        assertThat(tls.protocols()).containsExactly("TLSv1.3");
        assertThat(load("listen:\n  tls:\n" + FILES + "    client_ca_file: certs/clients.pem\n    client_auth: optional\n")
                .clientAuth()).isEqualTo(GatewayConfig.ClientAuth.OPTIONAL);
    }

    @Test
    void badVersionUnknownSuitesAndRequireWithoutCaAreReportedAtTheirLines() {
        assertThat(problems("""
                listen:
                  tls:
                    cert_file: gw.pem
                    key_file: gw.key
                    min_version: TLSv1.1
                    ciphers:
                      - TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256
                      - TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA255
                      - RC4-MD5
                    client_auth: require
                """)).containsExactly(
                "gateway.yaml:5: listen.tls.min_version: expected TLSv1.2 | TLSv1.3, got \"TLSv1.1\"",
                "gateway.yaml:8: listen.tls.ciphers[1]: unknown cipher suite TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA255"
                        + " (did you mean TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256?)" + NAMES,
                "gateway.yaml:9: listen.tls.ciphers[2]: unknown cipher suite RC4-MD5" + NAMES,
                "gateway.yaml:10: listen.tls.client_auth: require needs client_ca_file (the CA whose certificates clients present)");
    }

    @Test
    void otherMistakes() {
        assertThat(problems("listen:\n  tls:\n" + FILES + "    client_auth: optional\n")).containsExactly(
                "gateway.yaml:5: listen.tls.client_auth: optional needs client_ca_file (the CA whose certificates clients present)");
        assertThat(problems("listen:\n  tls:\n" + FILES + "    client_auth: always\n    client_ca_file: certs/clients.pem\n"))
                .containsExactly("gateway.yaml:5: listen.tls.client_auth: expected one of none | optional | require, got the string \"always\"");
        assertThat(problems("listen:\n  tls:\n" + FILES + "    client_ca_file: certs/nope.pem\n    client_auth: require\n"))
                .containsExactly("gateway.yaml:5: listen.tls.client_ca_file: file not found: "
                        + dir.toAbsolutePath().normalize().resolve("certs/nope.pem"));
        assertThat(problems("listen:\n  tls:\n" + FILES + "    ciphers: []\n")).containsExactly(
                "gateway.yaml:5: listen.tls.ciphers: must name at least one cipher suite (leave ciphers out for the JDK's defaults)");
        assertThat(problems("listen:\n  tls:\n" + FILES + "    ciphers: TLS_AES_128_GCM_SHA256\n")).singleElement()
                .asString().startsWith("gateway.yaml:5: listen.tls.ciphers: expected a list, got ");
        assertThat(problems("listen:\n  tls:\n" + FILES + "    min_version: TLSv1.3\n"
                + "    ciphers: [TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256]\n")).containsExactly(
                "gateway.yaml:6: listen.tls.ciphers: min_version TLSv1.3 needs a TLS 1.3 suite among the ciphers "
                        + "(e.g. TLS_AES_128_GCM_SHA256); with these no client could connect");
        assertThat(problems("listen:\n  tls:\n" + FILES + "    min_verison: TLSv1.3\n")).containsExactly(
                "gateway.yaml:5: listen.tls.min_verison: unknown key (did you mean min_version?) (allowed: cert_file, "
                        + "ciphers, client_auth, client_ca_file, key_file, min_version)");
    }

    @Test
    void aClientCaWithClientAuthIsNoWarning() throws PolicyException {
        write(dir, "gateway.yaml", "listen:\n  tls:\n" + FILES + "    client_ca_file: certs/clients.pem\n    client_auth: require\n");
        PolicyLoader loader = PolicyFixtures.loader(Map.of());
        loader.load(dir, 1);
        assertThat(loader.warnings()).filteredOn(w -> w.file().equals("gateway.yaml")).isEmpty();
    }

    @Test
    void aClientCaWithoutClientAuthIsAWarning() throws PolicyException {
        write(dir, "gateway.yaml", "listen:\n  tls:\n" + FILES + "    client_ca_file: certs/clients.pem\n");
        PolicyLoader loader = PolicyFixtures.loader(Map.of());
        loader.load(dir, 1);
        assertThat(loader.warnings()).filteredOn(w -> w.file().equals("gateway.yaml")).extracting(ConfigProblem::toString)
                .containsExactly(
                "gateway.yaml:5: listen.tls.client_ca_file: unused while client_auth is none: clients are not asked "
                        + "for a certificate (set client_auth: require or optional)");
    }
}
