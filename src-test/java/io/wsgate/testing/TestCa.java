package io.wsgate.testing;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A test certificate authority (EC P-256): {@link #caFile()} is its certificate as PEM (what a route's
 * {@code ca_file} names), and {@link #issue} signs server certificates for chosen names, so a test can present a
 * certificate that is trusted but names another host.
 */
public final class TestCa {
    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

    private final Path dir;
    private final KeyPair key;
    private final X500Name name;
    private final X509Certificate cert;
    private final Path caFile;

    /** A server or client certificate and its key, as PEM files (certificate then the CA's, PKCS#8 key). */
    public record Leaf(Path certFile, Path keyFile, X509Certificate certificate) {}

    private TestCa(Path dir, KeyPair key, X500Name name, X509Certificate cert, Path caFile) {
        this.dir = dir;
        this.key = key;
        this.name = name;
        this.cert = cert;
        this.caFile = caFile;
    }

    public static TestCa create(Path dir) throws Exception {
        KeyPair kp = ecKey();
        X500Name name = new X500Name("CN=wsgate test CA");
        long now = System.currentTimeMillis();
        JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, BigInteger.valueOf(SERIAL.incrementAndGet()),
                new Date(now - 60_000), new Date(now + 86_400_000L), name, kp.getPublic());
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
        b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        X509Certificate cert = new JcaX509CertificateConverter().getCertificate(
                b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(kp.getPrivate())));
        Files.createDirectories(dir);
        Path caFile = dir.resolve("ca.pem");
        Files.writeString(caFile, pem(cert));
        return new TestCa(dir, kp, name, cert, caFile);
    }

    public Path caFile() {
        return caFile;
    }

    public X509Certificate certificate() {
        return cert;
    }

    /**
     * A server certificate signed by this CA whose subject alternative names are exactly {@code names}: IP
     * literals become iPAddress entries, anything else a dNSName. Written as {@code <file>.pem} / {@code <file>.key}.
     */
    public Leaf issue(String file, String... names) throws Exception {
        return issue(file, KeyPurposeId.id_kp_serverAuth, names);
    }

    /**
     * A client certificate signed by this CA (extended key usage clientAuth, subject {@code CN=<cn>}), for a
     * listener with {@code client_auth}. Written as {@code <file>.pem} / {@code <file>.key} like {@link #issue}.
     */
    public Leaf issueClient(String file, String cn) throws Exception {
        return issue(file, KeyPurposeId.id_kp_clientAuth, cn);
    }

    private Leaf issue(String file, KeyPurposeId purpose, String... names) throws Exception {
        KeyPair kp = ecKey();
        long now = System.currentTimeMillis();
        JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, BigInteger.valueOf(SERIAL.incrementAndGet()),
                new Date(now - 60_000), new Date(now + 86_400_000L), new X500Name("CN=" + names[0]), kp.getPublic());
        GeneralName[] san = new GeneralName[names.length];
        for (int i = 0; i < names.length; i++) {
            boolean ip = names[i].matches("[0-9.]+") || names[i].contains(":");
            san[i] = new GeneralName(ip ? GeneralName.iPAddress : GeneralName.dNSName, names[i]);
        }
        b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(san));
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
        b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose));
        X509Certificate leaf = new JcaX509CertificateConverter().getCertificate(
                b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(key.getPrivate())));
        Path certFile = dir.resolve(file + ".pem");
        Path keyFile = dir.resolve(file + ".key");
        Files.writeString(certFile, pem(leaf) + pem(cert));
        Files.writeString(keyFile, pem(new JcaPKCS8Generator(kp.getPrivate(), null).generate()));
        return new Leaf(certFile, keyFile, leaf);
    }

    private static KeyPair ecKey() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    private static String pem(Object o) throws Exception {
        StringWriter s = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(s)) {
            w.writeObject(o);
        }
        return s.toString();
    }
}
