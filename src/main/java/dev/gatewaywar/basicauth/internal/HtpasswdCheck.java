package dev.gatewaywar.basicauth.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.gatewaywar.basicauth.CredentialCheck;
import jakarta.servlet.http.HttpServletRequest;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;
import java.util.function.Function;
import org.springframework.security.crypto.bcrypt.BCrypt;

/**
 * bcrypt entries of an htpasswd file, checked with Spring Security's {@link BCrypt}. bcrypt is slow
 * by design (cost 10: some 50-100 ms of CPU per check), so credentials already verified are
 * remembered for {@link #REMEMBER} as a salted SHA-256 digest (never the password), at most {@link
 * #MAX_REMEMBERED} of them: a client sending the same right password again costs a hash, not a
 * bcrypt. Wrong passwords are never remembered; an unknown user costs a bcrypt too, so timing does
 * not tell which users exist.
 */
public final class HtpasswdCheck implements CredentialCheck {
  static final int MAX_REMEMBERED = 10_000;
  static final Duration REMEMBER = Duration.ofMinutes(5);

  /** Checked against when the user is unknown: the same work as a real entry of cost 10. */
  private static final String NO_SUCH_USER = BCrypt.hashpw("no such user", BCrypt.gensalt(10));

  private final Function<String, Optional<String>> hashes;
  private final byte[] salt = new byte[16];
  private final Cache<String, Boolean> verified =
      Caffeine.newBuilder()
          .maximumSize(MAX_REMEMBERED)
          .expireAfterWrite(REMEMBER)
          // evict on the calling thread: no task of the webapp's left in the common pool
          .executor(Runnable::run)
          .build();

  /**
   * @param hashes the bcrypt hash of each user
   */
  public HtpasswdCheck(Function<String, Optional<String>> hashes) {
    this.hashes = hashes;
    new SecureRandom().nextBytes(salt);
  }

  @Override
  public Verdict check(HttpServletRequest request, String user, String password) {
    String digest = digest(user, password);
    if (verified.getIfPresent(digest) != null) {
      return Verdict.ALLOWED;
    }
    Optional<String> hash = hashes.apply(user);
    if (!matches(password, hash.orElse(NO_SUCH_USER)) || hash.isEmpty()) {
      return Verdict.INVALID;
    }
    verified.put(digest, Boolean.TRUE);
    return Verdict.ALLOWED;
  }

  private static boolean matches(String password, String hash) {
    try {
      return BCrypt.checkpw(password, hash);
    } catch (IllegalArgumentException tooLong) {
      return false; // bcrypt takes at most 72 bytes of password
    }
  }

  private String digest(String user, String password) {
    MessageDigest sha256;
    try {
      sha256 = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
    sha256.update(salt);
    byte[] name = user.getBytes(StandardCharsets.UTF_8);
    // the name's length first: no other user and password can give the same bytes
    sha256.update(ByteBuffer.allocate(4).putInt(name.length).array());
    sha256.update(name);
    return Base64.getEncoder()
        .encodeToString(sha256.digest(password.getBytes(StandardCharsets.UTF_8)));
  }
}
