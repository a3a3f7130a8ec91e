package dev.gatewaywar.basicauth.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.gatewaywar.basicauth.CredentialCheck.Verdict;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.security.crypto.bcrypt.BCrypt;

class HtpasswdCheckTest {
  private final Map<String, String> hashes =
      Map.of("alice", BCrypt.hashpw("wonderland", BCrypt.gensalt("$2y", 4)));
  private final AtomicInteger lookups = new AtomicInteger();
  private final HtpasswdCheck check =
      new HtpasswdCheck(
          user -> {
            lookups.incrementAndGet();
            return Optional.ofNullable(hashes.get(user));
          });

  @Test
  void aVerifiedPasswordIsRememberedAndAWrongOneNever() {
    assertEquals(Verdict.ALLOWED, check.check(null, "alice", "wonderland"));
    assertEquals(Verdict.ALLOWED, check.check(null, "alice", "wonderland"));
    assertEquals(1, lookups.get(), "the second check needed no bcrypt");
    assertEquals(Verdict.INVALID, check.check(null, "alice", "wrong"));
    assertEquals(Verdict.INVALID, check.check(null, "alice", "wrong"));
    assertEquals(3, lookups.get(), "a wrong password is checked in full each time");
  }

  @Test
  void rememberedPasswordsBelongToTheirUser() {
    assertEquals(Verdict.ALLOWED, check.check(null, "alice", "wonderland"));
    assertEquals(Verdict.INVALID, check.check(null, "alicewonderland", ""));
    assertEquals(Verdict.INVALID, check.check(null, "alic", "ewonderland"));
    assertEquals(Verdict.INVALID, check.check(null, "bob", "wonderland"));
  }

  @Test
  void anOverlongPasswordIsRefusedNotThrown() {
    assertEquals(Verdict.INVALID, check.check(null, "alice", "x".repeat(100)));
  }
}
