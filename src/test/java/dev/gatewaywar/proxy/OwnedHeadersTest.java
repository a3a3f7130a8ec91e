package dev.gatewaywar.proxy;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Which client headers never reach the upstream because the gateway owns the name. */
class OwnedHeadersTest {
  private final OwnedHeaders strict = OwnedHeaders.of(List.of("X-User-Id"), false);
  private final OwnedHeaders lenient = OwnedHeaders.of(List.of("X-User-Id"), true);

  @Test
  void clientCopiesOfOwnedNamesAreDroppedInAnyCase() {
    for (OwnedHeaders owned : List.of(strict, lenient)) {
      assertTrue(owned.dropsClientHeader("X-User-Id"));
      assertTrue(owned.dropsClientHeader("x-user-id"));
      assertTrue(owned.dropsClientHeader("X-FORWARDED-FOR"));
      assertTrue(owned.dropsClientHeader("x-forwarded-proto"));
      assertTrue(owned.dropsClientHeader("X-Forwarded-Host"));
    }
  }

  @Test
  void underscoreSpellingsOfOwnedNamesAreDroppedEvenWhenUnderscoresAreAllowed() {
    assertTrue(lenient.dropsClientHeader("X_User_Id"));
    assertTrue(lenient.dropsClientHeader("x_user-id"));
    assertTrue(lenient.dropsClientHeader("X_FORWARDED_FOR"));
  }

  @Test
  void underscoresAreDroppedByDefaultAndKeptWhenAllowed() {
    assertTrue(strict.dropsClientHeader("X_Custom"));
    assertFalse(lenient.dropsClientHeader("X_Custom"));
  }

  @Test
  void otherHeadersPass() {
    for (OwnedHeaders owned : List.of(strict, lenient)) {
      assertFalse(owned.dropsClientHeader("X-User"));
      assertFalse(owned.dropsClientHeader("X-User-Idx"));
      assertFalse(owned.dropsClientHeader("Authorization"));
      assertFalse(owned.dropsClientHeader("X-Custom"));
    }
  }
}
