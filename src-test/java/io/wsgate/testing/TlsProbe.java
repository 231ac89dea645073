package io.wsgate.testing;

import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;

import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Reader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

/**
 * A plain JDK TLS client for listener tests: one connection with exactly the protocols, cipher suites and client
 * certificate given, then a WebSocket upgrade request; reports how far it got. Certificates are sent whatever CA
 * the server asks for (a JDK client would otherwise stay silent when the issuer is not one the server names, and
 * the server's verification would go untested).
 */
public final class TlsProbe {
    private static final char[] PASSWORD = "probe".toCharArray();

    /**
     * {@code handshake} is "ok" or the client-side failure; {@code status} the upgrade's status line, or the
     * failure reading it (a TLS 1.3 server rejects a client certificate only after the client's handshake is done).
     */
    public record Attempt(String handshake, String protocol, String cipher, String status) {
        public boolean upgraded() {
            return status != null && status.startsWith("HTTP/1.1 101");
        }
    }

    private final X509Certificate trusted;
    private TestCa.Leaf clientCert;
    private List<String> protocols = List.of("TLSv1.3", "TLSv1.2");
    private List<String> ciphers;

    private TlsProbe(X509Certificate trusted) {
        this.trusted = trusted;
    }

    /** A client trusting {@code ca}'s certificates (the listener's certificate must be for 127.0.0.1). */
    public static TlsProbe trusting(TestCa ca) {
        return new TlsProbe(ca.certificate());
    }

    public TlsProbe protocols(String... p) {
        this.protocols = List.of(p);
        return this;
    }

    public TlsProbe ciphers(String... c) {
        this.ciphers = List.of(c);
        return this;
    }

    public TlsProbe clientCert(TestCa.Leaf leaf) {
        this.clientCert = leaf;
        return this;
    }

    /** Connects to 127.0.0.1:{@code port} and asks for {@code path} as a WebSocket. */
    public Attempt upgrade(int port, String path) throws Exception {
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(keyManagers(), trustManagers(), null);
        try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", port)) {
            s.setSoTimeout(5000);
            SSLParameters params = s.getSSLParameters();
            params.setEndpointIdentificationAlgorithm("HTTPS");
            params.setProtocols(protocols.toArray(String[]::new));
            if (ciphers != null) {
                params.setCipherSuites(ciphers.toArray(String[]::new));
            }
            s.setSSLParameters(params);
            try {
                s.startHandshake();
            } catch (IOException e) {
                return new Attempt("failed: " + e, null, null, null);
            }
            String protocol = s.getSession().getProtocol();
            String cipher = s.getSession().getCipherSuite();
            String status;
            try {
                OutputStream out = s.getOutputStream();
                out.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\n"
                        + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                        + "Sec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.flush();
                status = statusLine(s.getInputStream());
            } catch (IOException e) {
                status = "failed: " + e;
            }
            return new Attempt("ok", protocol, cipher, status);
        }
    }

    private static String statusLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0 && b != '\n') {
            if (b != '\r') {
                line.write(b);
            }
        }
        if (b < 0 && line.size() == 0) {
            return "failed: connection closed without an answer";
        }
        return line.toString(StandardCharsets.US_ASCII);
    }

    private javax.net.ssl.TrustManager[] trustManagers() throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setCertificateEntry("ca", trusted);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        return tmf.getTrustManagers();
    }

    private KeyManager[] keyManagers() throws Exception {
        if (clientCert == null) {
            return null;
        }
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("client", privateKey(), PASSWORD, chain().toArray(X509Certificate[]::new));
        KeyManagerFactory kmf = KeyManagerFactory.getInstance("SunX509");
        kmf.init(ks, PASSWORD);
        return new KeyManager[]{new Always((X509ExtendedKeyManager) kmf.getKeyManagers()[0])};
    }

    private PrivateKey privateKey() throws IOException {
        try (Reader r = Files.newBufferedReader(clientCert.keyFile()); PEMParser p = new PEMParser(r)) {
            return new JcaPEMKeyConverter().getPrivateKey((PrivateKeyInfo) p.readObject());
        }
    }

    private List<X509Certificate> chain() throws Exception {
        List<X509Certificate> out = new ArrayList<>();
        try (Reader r = Files.newBufferedReader(clientCert.certFile()); PEMParser p = new PEMParser(r)) {
            Object o;
            while ((o = p.readObject()) != null) {
                out.add(new JcaX509CertificateConverter().getCertificate((X509CertificateHolder) o));
            }
        }
        return out;
    }

    /** Offers the one client certificate whatever issuers the server lists. */
    private static final class Always extends X509ExtendedKeyManager {
        private final X509ExtendedKeyManager d;

        Always(X509ExtendedKeyManager d) {
            this.d = d;
        }

        @Override
        public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
            return "client";
        }

        @Override
        public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
            return "client";
        }

        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
            return new String[]{"client"};
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) {
            return d.getServerAliases(keyType, issuers);
        }

        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
            return d.chooseServerAlias(keyType, issuers, socket);
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            return d.getCertificateChain(alias);
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            return d.getPrivateKey(alias);
        }
    }
}
