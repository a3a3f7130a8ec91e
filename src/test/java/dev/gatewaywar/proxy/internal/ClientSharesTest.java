package dev.gatewaywar.proxy.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ClientSharesTest {
  private final ClientShares shares = new ClientShares(2);
  private final ClientShares.Key a = new ClientShares.Key("http://up:80", "203.0.113.1");
  private final ClientShares.Key b = new ClientShares.Key("http://up:80", "203.0.113.2");
  private final ClientShares.Key aElsewhere =
      new ClientShares.Key("http://other:80", "203.0.113.1");

  @Test
  void aClientGetsItsShareOfOneUpstreamAndNoMore() {
    assertTrue(shares.tryAcquire(a));
    assertTrue(shares.tryAcquire(a));

    assertFalse(shares.tryAcquire(a), "over its share");
    assertEquals(2, shares.inFlight(a), "a refusal counts nothing");
    assertTrue(shares.tryAcquire(b), "another client is unaffected");
    assertTrue(shares.tryAcquire(aElsewhere), "and so is the same client at another upstream");
  }

  @Test
  void aReleasedShareCanBeTakenAgain() {
    shares.tryAcquire(a);
    shares.tryAcquire(a);

    shares.release(a);

    assertTrue(shares.tryAcquire(a));
  }

  @Test
  void entriesGoWhenTheirCountReturnsToZero() {
    for (int i = 0; i < 10_000; i++) {
      ClientShares.Key k = new ClientShares.Key("http://up:80", "10.0." + i / 256 + "." + i % 256);
      assertTrue(shares.tryAcquire(k));
      shares.release(k);
    }
    shares.tryAcquire(a);
    shares.release(a);

    assertEquals(0, shares.size(), "no entry left behind by 10,001 clients that came and went");
  }
}
