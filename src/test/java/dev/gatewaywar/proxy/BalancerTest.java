package dev.gatewaywar.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatewaywar.config.UpstreamSet.Balance;
import java.net.URI;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The three ways of choosing a target, on their own. */
class BalancerTest {

  private static UpstreamTarget[] targets(int... weights) {
    UpstreamTarget[] t = new UpstreamTarget[weights.length];
    for (int i = 0; i < weights.length; i++) {
      t[i] =
          new UpstreamTarget(
              "/t", i, URI.create("http://10.0.0." + (i + 1) + ":8080"), weights[i], null, null);
    }
    return t;
  }

  @Test
  void roundRobinKeepsWeightsWithoutBursts() {
    Balancer rr = Balancer.of(Balance.ROUND_ROBIN, targets(3, 1));
    int[] counts = new int[2];
    int run = 0;
    int longestRun = 0;
    StringBuilder first = new StringBuilder();
    for (int i = 0; i < 400; i++) {
      int pick = rr.pick("c", 0);
      counts[pick]++;
      run = pick == 0 ? run + 1 : 0;
      longestRun = Math.max(longestRun, run);
      if (i < 8) {
        first.append(pick == 0 ? 'a' : 'b');
      }
    }
    assertEquals(300, counts[0]);
    assertEquals(100, counts[1]);
    // nginx's smooth order: the light target in the middle of the heavy one's turns
    assertEquals("aabaaaba", first.toString());
    assertEquals(3, longestRun);
  }

  @Test
  void roundRobinSkipsExcludedTargets() {
    Balancer rr = Balancer.of(Balance.ROUND_ROBIN, targets(1, 1, 1));
    for (int i = 0; i < 10; i++) {
      int pick = rr.pick("c", 0b010);
      assertTrue(pick == 0 || pick == 2);
    }
    assertEquals(-1, rr.pick("c", 0b111));
  }

  @Test
  void leastRequestsPrefersTheIdlerTargetAndSharesTies() {
    UpstreamTarget[] t = targets(1, 1, 1);
    Balancer least = Balancer.of(Balance.LEAST_REQUESTS, t);
    int[] counts = new int[3];
    for (int i = 0; i < 300; i++) {
      counts[least.pick("c", 0)]++;
    }
    assertEquals(100, counts[0]);
    assertEquals(100, counts[1]);
    assertEquals(100, counts[2]);
    t[0].take();
    t[2].take();
    for (int i = 0; i < 10; i++) {
      assertEquals(1, least.pick("c", 0));
    }
    t[1].take();
    t[1].take();
    int pick = least.pick("c", 0);
    assertTrue(pick == 0 || pick == 2, "one in flight beats two");
  }

  @Test
  void leastRequestsWeighsTheLoad() {
    UpstreamTarget[] t = targets(4, 1);
    Balancer least = Balancer.of(Balance.LEAST_REQUESTS, t);
    for (int i = 0; i < 3; i++) {
      t[0].take();
    }
    // 3 of weight 4 is a lighter load than 0... no: 0 of weight 1 is lighter
    assertEquals(1, least.pick("c", 0));
    t[1].take();
    // 3/4 < 1/1
    assertEquals(0, least.pick("c", 0));
  }

  @Test
  void clientHashIsStickyAndSpreads() {
    Balancer hash = Balancer.of(Balance.CLIENT_HASH, targets(1, 1, 1));
    int[] counts = new int[3];
    for (int c = 0; c < 3000; c++) {
      String client = client(c);
      int pick = hash.pick(client, 0);
      counts[pick]++;
      assertEquals(pick, hash.pick(client, 0), "the same client, the same target");
    }
    for (int n : counts) {
      assertTrue(n > 700 && n < 1300, () -> "uneven spread " + java.util.Arrays.toString(counts));
    }
  }

  @Test
  void addingATargetMovesAboutOneClientInN() {
    Balancer three = Balancer.of(Balance.CLIENT_HASH, targets(1, 1, 1));
    Balancer four = Balancer.of(Balance.CLIENT_HASH, targets(1, 1, 1, 1));
    int moved = 0;
    int clients = 4000;
    for (int c = 0; c < clients; c++) {
      int before = three.pick(client(c), 0);
      int after = four.pick(client(c), 0);
      if (before != after) {
        moved++;
        assertEquals(3, after, "a client that moves, moves to the new target");
      }
    }
    double share = moved / (double) clients;
    assertTrue(share > 0.18 && share < 0.32, "moved " + share + ", expected about 1/4");
  }

  @Test
  void aClientHashTargetOutSendsOnlyItsClientsElsewhere() {
    Balancer hash = Balancer.of(Balance.CLIENT_HASH, targets(1, 1, 1));
    Map<String, Integer> before = new HashMap<>();
    for (int c = 0; c < 1000; c++) {
      before.put(client(c), hash.pick(client(c), 0));
    }
    before.forEach(
        (client, target) -> {
          int now = hash.pick(client, 0b001);
          if (target == 0) {
            assertTrue(now == 1 || now == 2);
          } else {
            assertEquals(target, now);
          }
        });
    assertEquals(-1, hash.pick("10.1.1.1", 0b111));
  }

  private static String client(int c) {
    return "10." + (c >> 16 & 255) + "." + (c >> 8 & 255) + "." + (c & 255);
  }
}
