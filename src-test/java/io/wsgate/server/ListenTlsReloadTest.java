package io.wsgate.server;

import io.wsgate.demo.DemoUpstream;
import io.wsgate.reload.ReloadResult;
import io.wsgate.testing.PolicyDir;
import io.wsgate.testing.TestCa;
import io.wsgate.testing.TlsProbe;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/** A reload that changes {@code listen.tls} options rebuilds the listener's TLS context for new connections. */
class ListenTlsReloadTest {
    private static final Function<String, String> ENV = n -> "WSGATE_ADMIN_TOKEN".equals(n) ? "t" : null;
    private static final String FILES = "cert_file: certs/gw.pem, key_file: certs/gw.key";

    @TempDir
    Path dir;
    private DemoUpstream up;
    private Gateway gw;
    private TestCa serverCa;

    @BeforeEach
    void start() throws Exception {
        up = new DemoUpstream("127.0.0.1", 0).start();
        serverCa = TestCa.create(dir.resolve("certs"));
        serverCa.issue("gw", "127.0.0.1");
    }

    @AfterEach
    void stop() {
        if (gw != null) {
            gw.close();
        }
        up.close();
    }

    private void write(String tls) {
        PolicyDir p = PolicyDir.in(dir);
        p.write("gateway.yaml", "listen: { host: 127.0.0.1, port: 0, tls: { " + tls + " } }\n" + """
                admin: { host: 127.0.0.1, port: 0, token_env: WSGATE_ADMIN_TOKEN }
                reload: { watch: false }
                audit: { denials: "off" }
                access_log: "off"
                """);
        p.write("echo.yaml", """
                route:
                  path: /echo
                  upstream: { targets: ["ws://127.0.0.1:%d/echo"] }
                """.formatted(up.port()));
    }

    private TlsProbe.Attempt attempt(TlsProbe probe) throws Exception {
        return probe.upgrade(gw.port(), "/echo");
    }

    @Test
    void minVersionAndClientAuthChangedByReloadApplyToNewConnections() throws Exception {
        write(FILES);
        gw = Gateway.start(dir, ENV);
        int port = gw.port();
        TlsProbe v12 = TlsProbe.trusting(serverCa).protocols("TLSv1.2");
        assertThat(attempt(v12).upgraded()).isTrue();

        write(FILES + ", min_version: TLSv1.3");
        ReloadResult r = gw.reloads().reload();
        assertThat(r.ok()).as(String.valueOf(r.errors())).isTrue();
        assertThat(gw.port()).isEqualTo(port);
        assertThat(attempt(v12).handshake()).startsWith("failed: ");
        assertThat(attempt(TlsProbe.trusting(serverCa).protocols("TLSv1.3")).upgraded()).isTrue();

        TestCa clients = TestCa.create(dir.resolve("clients"));
        TestCa.Leaf alice = clients.issueClient("alice", "alice");
        write(FILES + ", client_ca_file: clients/ca.pem, client_auth: require");
        assertThat(gw.reloads().reload().ok()).isTrue();
        assertThat(attempt(v12.clientCert(alice)).upgraded()).as("back to TLS 1.2 and up").isTrue();
        assertThat(attempt(TlsProbe.trusting(serverCa)).upgraded()).as("no client certificate").isFalse();
        assertThat(attempt(TlsProbe.trusting(serverCa).clientCert(alice)).upgraded()).isTrue();
    }

    @Test
    void aClientCaThatIsNoCertificateFailsTheReloadAndTheOldContextKeepsServing() throws Exception {
        write(FILES);
        gw = Gateway.start(dir, ENV);
        java.nio.file.Files.createDirectories(dir.resolve("clients"));
        java.nio.file.Files.writeString(dir.resolve("clients/ca.pem"), "-----BEGIN CERTIFICATE-----\nbroken\n-----END CERTIFICATE-----\n");
        write(FILES + ", client_ca_file: clients/ca.pem, client_auth: require");
        ReloadResult r = gw.reloads().reload();
        assertThat(r.ok()).isFalse();
        assertThat(r.errors()).singleElement().asString().startsWith("gateway.yaml:1: listen.tls: ");
        assertThat(attempt(TlsProbe.trusting(serverCa)).upgraded()).as("still no client certificate needed").isTrue();
    }
}
