package dev.gatewaywar.config.internal;

import dev.gatewaywar.config.RouteTls;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

/**
 * Reads a route's {@code tls:} block and the PEM files it names (BouncyCastle's PEM reader; no
 * security provider is registered, the JDK's own make the keys). A file that is missing, unreadable
 * or not what its key says is a problem at that key; messages never quote a key file's content.
 */
final class RouteTlsReader {
  /** PEM files above this are not certificates or keys: refused rather than read whole. */
  static final long MAX_FILE_BYTES = 1024 * 1024;

  private RouteTlsReader() {}

  /**
   * The route's TLS settings, if it has a {@code tls:} block; problems are recorded on {@code
   * route}.
   */
  static Optional<RouteTls> read(YamlReader route) {
    if (!route.has("tls")) {
      return Optional.empty();
    }
    YamlReader m = route.mapping("tls");
    int before = m.problemCount();
    List<X509Certificate> trusted =
        m.has("ca_file") ? certificates(m, "ca_file") : List.<X509Certificate>of();
    Optional<RouteTls.ClientIdentity> client = identity(m);
    Optional<String> serverName =
        Optional.ofNullable(m.string("server_name", null)).map(String::trim);
    serverName
        .filter(n -> !isHostName(n))
        .ifPresent(n -> m.problem("server_name", "'" + n + "' is not a host name"));
    if (m.problemCount() > before) {
      return Optional.empty();
    }
    return Optional.of(new RouteTls(trusted, client, serverName));
  }

  private static Optional<RouteTls.ClientIdentity> identity(YamlReader m) {
    boolean cert = m.has("cert_file");
    boolean key = m.has("key_file");
    if (cert != key) {
      m.problem(cert ? "cert_file" : "key_file", "cert_file and key_file go together");
      return Optional.empty();
    }
    if (!cert) {
      return Optional.empty();
    }
    List<X509Certificate> chain = certificates(m, "cert_file");
    Optional<PrivateKey> privateKey = privateKey(m);
    if (chain.isEmpty() || privateKey.isEmpty()) {
      return Optional.empty();
    }
    if (!belongTogether(privateKey.get(), chain.get(0).getPublicKey())) {
      // found now rather than as a failed handshake (502) on the first request
      m.problem("key_file", "the key does not belong to the first certificate of cert_file");
      return Optional.empty();
    }
    return Optional.of(new RouteTls.ClientIdentity(privateKey.get(), chain));
  }

  /** Every certificate in the file, in order; at least one, or a problem. */
  private static List<X509Certificate> certificates(YamlReader m, String key) {
    List<X509Certificate> certs = new ArrayList<>();
    Path file = Path.of(m.string(key, "").trim());
    try (PEMParser pem = open(file)) {
      JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
      for (Object o = pem.readObject(); o != null; o = pem.readObject()) {
        if (o instanceof X509CertificateHolder holder) {
          certs.add(converter.getCertificate(holder));
        }
      }
    } catch (IOException | CertificateException | RuntimeException e) {
      m.problem(key, "cannot read certificates from " + file + ": " + reason(e));
      return List.of();
    }
    if (certs.isEmpty()) {
      m.problem(key, file + " holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
    }
    return certs;
  }

  /** The one private key of {@code key_file}: PKCS#8 ({@code BEGIN PRIVATE KEY}), unencrypted. */
  private static Optional<PrivateKey> privateKey(YamlReader m) {
    Path file = Path.of(m.string("key_file", "").trim());
    try (PEMParser pem = open(file)) {
      JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
      for (Object o = pem.readObject(); o != null; o = pem.readObject()) {
        if (o instanceof PrivateKeyInfo info) {
          return Optional.of(converter.getPrivateKey(info));
        }
        if (o instanceof PEMKeyPair pair) {
          return Optional.of(converter.getPrivateKey(pair.getPrivateKeyInfo()));
        }
      }
    } catch (IOException | RuntimeException e) {
      // the exception's message may quote the file: only its kind is told
      m.problem("key_file", "cannot read a private key from " + file + ": " + kind(e));
      return Optional.empty();
    }
    m.problem(
        "key_file",
        file + " holds no unencrypted PEM private key (-----BEGIN PRIVATE KEY-----, PKCS#8)");
    return Optional.empty();
  }

  private static PEMParser open(Path file) throws IOException {
    if (Files.size(file) > MAX_FILE_BYTES) {
      throw new TooLargeException();
    }
    Reader reader = Files.newBufferedReader(file, StandardCharsets.US_ASCII);
    return new PEMParser(reader);
  }

  private static String reason(Exception e) {
    return fileProblem(e).orElseGet(() -> String.valueOf(e.getMessage()));
  }

  private static String kind(Exception e) {
    return fileProblem(e)
        .orElseGet(() -> "not a valid PEM private key (" + e.getClass().getSimpleName() + ")");
  }

  /** What kept the file from being read, when the file itself was the problem. */
  private static Optional<String> fileProblem(Exception e) {
    if (e instanceof NoSuchFileException) {
      return Optional.of("no such file");
    }
    if (e instanceof AccessDeniedException) {
      return Optional.of("permission denied");
    }
    if (e instanceof TooLargeException) {
      return Optional.of("larger than 1 MiB: not a PEM file");
    }
    return Optional.empty();
  }

  private static final class TooLargeException extends IOException {
    private static final long serialVersionUID = 1L;
  }

  /**
   * Whether {@code key} is the private half of {@code certified}: a signature made with the one is
   * checked with the other (one signature at load, whatever the key's algorithm family).
   */
  private static boolean belongTogether(PrivateKey key, PublicKey certified) {
    String algorithm =
        switch (key.getAlgorithm()) {
          case "RSA" -> "SHA256withRSA";
          case "EC" -> "SHA256withECDSA";
          case "Ed25519", "Ed448", "EdDSA" -> key.getAlgorithm();
          default -> null;
        };
    if (algorithm == null || !key.getAlgorithm().equals(certified.getAlgorithm())) {
      return algorithm == null; // a family this check does not know: the handshake decides
    }
    try {
      byte[] probe = "gateway key check".getBytes(StandardCharsets.US_ASCII);
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(probe);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(certified);
      verifier.update(probe);
      return verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  /** A DNS name as SNI takes it (RFC 6066 section 3): letters, digits, '-' and dots. */
  private static boolean isHostName(String name) {
    return !name.isEmpty()
        && name.length() <= 253
        && name.matches(
            "[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*");
  }
}
