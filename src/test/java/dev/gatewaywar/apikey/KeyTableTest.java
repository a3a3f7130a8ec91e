package dev.gatewaywar.apikey;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.gatewaywar.apikey.internal.KeyEntries;
import dev.gatewaywar.apikey.internal.KeyTable;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class KeyTableTest {
  static String sha256(String key) throws Exception {
    return HexFormat.of()
        .formatHex(
            MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void aKnownKeyNamesItsConsumerAndOthersNone() throws Exception {
    KeyTable table =
        new KeyTable(
            List.of(
                KeyEntries.key("mobile-app", sha256("k-mobile")),
                KeyEntries.key("billing", sha256("k-billing")),
                KeyEntries.key("mobile-app", sha256("k-mobile-next"))));

    assertEquals(Optional.of("mobile-app"), table.consumerOf("k-mobile"));
    assertEquals(Optional.of("billing"), table.consumerOf("k-billing"));
    assertEquals(Optional.of("mobile-app"), table.consumerOf("k-mobile-next"), "rotation");
    assertEquals(Optional.empty(), table.consumerOf("k-mobil"));
    assertEquals(Optional.empty(), table.consumerOf(sha256("k-mobile")), "the digest is no key");
  }
}
