package dev.gatewaywar.operations;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import org.springframework.security.crypto.bcrypt.BCrypt;

/**
 * Routes guarded by every kind of secret the configuration holds (a JWT secret, API keys, an
 * htpasswd file), and the values none of the admin page's answers may contain.
 */
final class SecretsConfig {
  static final String JWT_SECRET = "jwt-secret-Zq8vN3kP0sT7wY2bL5mR9cX4fH6jD1gA";
  static final String API_KEY = "api-key-Qm4Wz8Rt2Yx6Vb0Nc3Lp";

  private SecretsConfig() {}

  /**
   * The blocks and routes (to {@code upstream}), with its htpasswd file written under {@code dir}.
   */
  static String blocksAndRoutes(Path dir, String upstream) throws IOException {
    Path htpasswd = htpasswd(dir);
    return """
        auth:
          enabled: true
          secret: "%s"
        api_key:
          keys:
            - name: mobile-app
              sha256: %s
        basic_auth:
          source: htpasswd
          file: %s
        routes:
          - path: /jwt/*
            target: %s
            middleware: [auth, metrics]
          - path: /keys/*
            target: %s
            middleware: [api_key]
          - path: /basic/*
            target: %s
            middleware: [basic_auth]
        """
        .formatted(JWT_SECRET, sha256(API_KEY), htpasswd, upstream, upstream, upstream);
  }

  /** What must never be shown: the secret, the key and its digest, the password file and hash. */
  static List<String> values(Path dir) throws IOException {
    Path htpasswd = dir.resolve("users.htpasswd");
    String hash = Files.readString(htpasswd).trim().split(":", 2)[1];
    return List.of(
        JWT_SECRET, API_KEY, sha256(API_KEY), htpasswd.toString(), hash, "mobile-app", "alice");
  }

  private static Path htpasswd(Path dir) throws IOException {
    Path file = dir.resolve("users.htpasswd");
    if (!Files.exists(file)) {
      Files.writeString(
          file, "alice:" + BCrypt.hashpw("alice-password", BCrypt.gensalt("$2y", 4)) + "\n");
    }
    return file;
  }

  private static String sha256(String text) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
