package dev.gatewaywar.apikey.internal;

import dev.gatewaywar.apikey.ApiKeyConfig.ApiKey;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The keys of one route, looked up by a presented key in constant time with respect to the keys
 * held.
 *
 * <p>A hash map looked up by the presented key's digest would answer faster or slower depending on
 * how much of the stored digest it matches (bucket occupancy, then {@code equals} stopping at the
 * first differing byte); an attacker choosing keys whose digests share a prefix could learn the
 * stored digests byte by byte, and a digest is enough to test guesses of a weak key offline. So the
 * map is keyed by a <em>blinded</em> digest: SHA-256 over a random secret made with the table and
 * the key's digest. Whatever timing the look-up shows depends on values the attacker cannot
 * compute, and says nothing about the stored digests. The entry found is then confirmed with {@link
 * MessageDigest#isEqual}, which takes the same time whatever the bytes. A look-up costs two SHA-256
 * and one map access, however many keys there are.
 */
public final class KeyTable {
  private final byte[] blind = new byte[32];
  private final Map<ByteBuffer, Entry> byBlinded = new HashMap<>();

  private record Entry(String name, byte[] digest) {}

  public KeyTable(List<ApiKey> keys) {
    new SecureRandom().nextBytes(blind);
    for (ApiKey k : keys) {
      byte[] digest = HexFormat.of().parseHex(k.sha256());
      byBlinded.put(ByteBuffer.wrap(blinded(digest)), new Entry(k.name(), digest));
    }
  }

  /** The consumer whose key {@code presented} is; empty for an unknown key. */
  public Optional<String> consumerOf(String presented) {
    byte[] digest = sha256().digest(presented.getBytes(StandardCharsets.UTF_8));
    Entry e = byBlinded.get(ByteBuffer.wrap(blinded(digest)));
    if (e == null || !MessageDigest.isEqual(e.digest(), digest)) {
      return Optional.empty();
    }
    return Optional.of(e.name());
  }

  private byte[] blinded(byte[] digest) {
    MessageDigest md = sha256();
    md.update(blind);
    return md.digest(digest);
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }
}
