package io.wsgate.proxy;

import io.wsgate.config.GatewayConfig;
import io.wsgate.config.GatewayConfig.ClientAuth;
import io.wsgate.demo.DemoUpstream;
import io.wsgate.testing.Harness;
import io.wsgate.testing.TestCa;
import io.wsgate.testing.TestPolicy;
import io.wsgate.testing.TlsProbe;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code listen.tls} options over real sockets: a JDK client limited to chosen protocols, cipher suites and client
 * certificate connects to a TLS listener whose certificate comes from a CA made in the test. Every refusal has a
 * positive control on the same listener, and the upstream sees only the connections that got through.
 */
class ListenTlsOptionsTest {
    private static final String ECDSA_AES128 = "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256";
    private static final String ECDSA_AES256 = "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384";

    @TempDir
    Path dir;
    private TestCa serverCa;
    private TestCa.Leaf serverCert;
    private DemoUpstream up;
    private Harness gw;

    @BeforeEach
    void certificates() throws Exception {
        serverCa = TestCa.create(dir.resolve("server-ca"));
        serverCert = serverCa.issue("gw", "127.0.0.1");
        up = Harness.upstream();
    }

    @AfterEach
    void stop() {
        if (gw != null) {
            gw.close();
        }
        if (up != null) {
            up.close();
        }
    }

    private void listen(String minVersion, List<String> ciphers, Path clientCa, ClientAuth auth) throws Exception {
        gw = new Harness(TestPolicy.gateway()
                .tls(new GatewayConfig.Tls(serverCert.certFile(), serverCert.keyFile(), minVersion, ciphers, clientCa, auth))
                .route("/echo", Harness.target(up, "/echo")).build());
    }

    private TlsProbe client() {
        return TlsProbe.trusting(serverCa);
    }

    private TlsProbe.Attempt upgrade(TlsProbe probe) throws Exception {
        return probe.upgrade(gw.port(), "/echo");
    }

    @Test
    void byDefaultTls12AndTls13ClientsAreBothServed() throws Exception {
        listen(null, null, null, null);
        TlsProbe.Attempt v12 = upgrade(client().protocols("TLSv1.2"));
        assertThat(v12.protocol()).isEqualTo("TLSv1.2");
        assertThat(v12.upgraded()).as(v12.toString()).isTrue();
        TlsProbe.Attempt v13 = upgrade(client().protocols("TLSv1.3"));
        assertThat(v13.protocol()).isEqualTo("TLSv1.3");
        assertThat(v13.upgraded()).as(v13.toString()).isTrue();
        assertThat(up.handshakes()).hasSize(2);
    }

    @Test
    void minVersionTls13RefusesATls12ClientAndServesATls13One() throws Exception {
        listen("TLSv1.3", null, null, null);
        TlsProbe.Attempt v12 = upgrade(client().protocols("TLSv1.2"));
        assertThat(v12.handshake()).as(v12.toString()).startsWith("failed: javax.net.ssl.SSLHandshakeException");
        assertThat(v12.upgraded()).isFalse();

        TlsProbe.Attempt v13 = upgrade(client().protocols("TLSv1.3"));
        assertThat(v13.handshake()).isEqualTo("ok");
        assertThat(v13.protocol()).isEqualTo("TLSv1.3");
        assertThat(v13.upgraded()).as(v13.toString()).isTrue();
        assertThat(up.handshakes()).as("only the TLS 1.3 client reached the upstream").hasSize(1);
    }

    @Test
    void cipherListLimitsTheSuitesOffered() throws Exception {
        listen("TLSv1.2", List.of(ECDSA_AES128), null, null);
        TlsProbe.Attempt other = upgrade(client().protocols("TLSv1.2").ciphers(ECDSA_AES256));
        assertThat(other.handshake()).as(other.toString()).startsWith("failed: javax.net.ssl.SSLHandshakeException");

        TlsProbe.Attempt listed = upgrade(client().protocols("TLSv1.2").ciphers(ECDSA_AES256, ECDSA_AES128));
        assertThat(listed.handshake()).isEqualTo("ok");
        assertThat(listed.cipher()).isEqualTo(ECDSA_AES128);
        assertThat(listed.upgraded()).as(listed.toString()).isTrue();

        // only TLS 1.2 suites listed: a TLS 1.3-only client finds nothing to agree on
        TlsProbe.Attempt v13 = upgrade(client().protocols("TLSv1.3"));
        assertThat(v13.handshake()).as(v13.toString()).startsWith("failed: ");
        assertThat(up.handshakes()).hasSize(1);
    }

    @Test
    void withoutACipherListTheOtherSuiteIsAccepted() throws Exception {
        // the control for the test above: the JDK's defaults include the suite that the list left out
        listen("TLSv1.2", null, null, null);
        TlsProbe.Attempt other = upgrade(client().protocols("TLSv1.2").ciphers(ECDSA_AES256));
        assertThat(other.cipher()).isEqualTo(ECDSA_AES256);
        assertThat(other.upgraded()).as(other.toString()).isTrue();
    }

    @Test
    void requiredClientCertificateMustComeFromTheClientCa() throws Exception {
        TestCa clients = TestCa.create(dir.resolve("client-ca"));
        TestCa stranger = TestCa.create(dir.resolve("other-ca"));
        TestCa.Leaf alice = clients.issueClient("alice", "alice");
        TestCa.Leaf mallory = stranger.issueClient("mallory", "mallory");
        listen(null, null, clients.caFile(), ClientAuth.REQUIRE);

        for (String version : List.of("TLSv1.2", "TLSv1.3")) {
            TlsProbe.Attempt none = upgrade(client().protocols(version));
            assertThat(none.upgraded()).as(version + " without a certificate: " + none).isFalse();
            assertThat(none.status() == null || none.status().startsWith("failed: "))
                    .as(version + " without a certificate gets no HTTP answer at all: " + none).isTrue();
            TlsProbe.Attempt foreign = upgrade(client().protocols(version).clientCert(mallory));
            assertThat(foreign.upgraded()).as(version + " with another CA's certificate: " + foreign).isFalse();
        }
        assertThat(up.accepted()).as("the upstream saw nothing of the refused clients").isZero();

        for (String version : List.of("TLSv1.2", "TLSv1.3")) {
            TlsProbe.Attempt trusted = upgrade(client().protocols(version).clientCert(alice));
            assertThat(trusted.protocol()).isEqualTo(version);
            assertThat(trusted.upgraded()).as(version + " with the client CA's certificate: " + trusted).isTrue();
        }
        assertThat(up.handshakes()).hasSize(2);
    }

    @Test
    void optionalClientCertificateLetsClientsWithoutOneIn() throws Exception {
        TestCa clients = TestCa.create(dir.resolve("client-ca"));
        listen(null, null, clients.caFile(), ClientAuth.OPTIONAL);
        TlsProbe.Attempt none = upgrade(client());
        assertThat(none.upgraded()).as(none.toString()).isTrue();
        TlsProbe.Attempt trusted = upgrade(client().clientCert(clients.issueClient("alice", "alice")));
        assertThat(trusted.upgraded()).as(trusted.toString()).isTrue();
        assertThat(up.handshakes()).hasSize(2);
    }
}
