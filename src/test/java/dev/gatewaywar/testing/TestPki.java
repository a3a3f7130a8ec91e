package dev.gatewaywar.testing;

import java.io.IOException;
import java.io.Writer;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A private PKI for TLS tests, made with BouncyCastle: a CA, and certificates it signs for servers
 * and clients, written as PEM files (keys as unencrypted PKCS#8) and usable as JDK SSL contexts.
 */
public final class TestPki {
  private static final SecureRandom RANDOM = new SecureRandom();

  /** A key pair and the certificate for its public key. */
  public record Issued(KeyPair keys, X509Certificate certificate) {}

  private final Issued ca;

  private TestPki(Issued ca) {
    this.ca = ca;
  }

  /** A new self-signed CA named {@code name}. */
  public static TestPki ca(String name) throws Exception {
    KeyPair keys = keyPair();
    X500Name subject = new X500Name("CN=" + name);
    JcaX509v3CertificateBuilder b = builder(subject, subject, keys);
    b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
    b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
    return new TestPki(new Issued(keys, sign(b, keys)));
  }

  public X509Certificate certificate() {
    return ca.certificate();
  }

  /** A server certificate for the DNS names and IP addresses given, signed by this CA. */
  public Issued server(String... names) throws Exception {
    KeyPair keys = keyPair();
    JcaX509v3CertificateBuilder b = builder(subjectOf(), new X500Name("CN=" + names[0]), keys);
    GeneralName[] alt = new GeneralName[names.length];
    for (int i = 0; i < names.length; i++) {
      boolean ip = Character.isDigit(names[i].charAt(0));
      alt[i] =
          ip
              ? new GeneralName(
                  GeneralName.iPAddress,
                  new org.bouncycastle.asn1.DEROctetString(
                      InetAddress.getByName(names[i]).getAddress()))
              : new GeneralName(GeneralName.dNSName, names[i]);
    }
    b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(alt));
    return new Issued(keys, sign(b, ca.keys()));
  }

  /** A client certificate named {@code name}, signed by this CA. */
  public Issued client(String name) throws Exception {
    KeyPair keys = keyPair();
    JcaX509v3CertificateBuilder b = builder(subjectOf(), new X500Name("CN=" + name), keys);
    return new Issued(keys, sign(b, ca.keys()));
  }

  /** Writes this CA's certificate as PEM. */
  public Path writeCertificate(Path file) throws IOException {
    return writePem(file, ca.certificate());
  }

  public static Path writePem(Path file, Object... objects) throws IOException {
    try (Writer w = Files.newBufferedWriter(file, StandardCharsets.US_ASCII);
        JcaPEMWriter pem = new JcaPEMWriter(w)) {
      for (Object o : objects) {
        pem.writeObject(o);
      }
    }
    return file;
  }

  /** Writes {@code issued}'s private key as unencrypted PKCS#8 PEM ({@code BEGIN PRIVATE KEY}). */
  public static Path writeKey(Path file, Issued issued) throws Exception {
    return writePem(file, new JcaPKCS8Generator(issued.keys().getPrivate(), null));
  }

  /**
   * A server context presenting {@code identity}; when {@code clientCas} is given, clients are
   * verified against it.
   */
  public static SSLContext serverContext(Issued identity, X509Certificate... clientCas)
      throws GeneralSecurityException, IOException {
    char[] password = "test".toCharArray();
    KeyStore keys = KeyStore.getInstance("PKCS12");
    keys.load(null, null);
    keys.setKeyEntry(
        "server",
        identity.keys().getPrivate(),
        password,
        new X509Certificate[] {identity.certificate()});
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(keys, password);
    TrustManagerFactory tmf = null;
    if (clientCas.length > 0) {
      KeyStore trust = KeyStore.getInstance("PKCS12");
      trust.load(null, null);
      for (int i = 0; i < clientCas.length; i++) {
        trust.setCertificateEntry("ca" + i, clientCas[i]);
      }
      tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);
    }
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(kmf.getKeyManagers(), tmf == null ? null : tmf.getTrustManagers(), null);
    return context;
  }

  private X500Name subjectOf() {
    return X500Name.getInstance(ca.certificate().getSubjectX500Principal().getEncoded());
  }

  private static KeyPair keyPair() throws GeneralSecurityException {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(256);
    return g.generateKeyPair();
  }

  private static JcaX509v3CertificateBuilder builder(
      X500Name issuer, X500Name subject, KeyPair keys) {
    Instant now = Instant.now();
    return new JcaX509v3CertificateBuilder(
        issuer,
        new BigInteger(64, RANDOM),
        Date.from(now.minus(Duration.ofHours(1))),
        Date.from(now.plus(Duration.ofDays(1))),
        subject,
        keys.getPublic());
  }

  private static X509Certificate sign(JcaX509v3CertificateBuilder b, KeyPair signer)
      throws Exception {
    return new JcaX509CertificateConverter()
        .getCertificate(
            b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer.getPrivate())));
  }
}
