package dev.gatewaywar.clientaddress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatewaywar.clientaddress.internal.IpLiteral;
import dev.gatewaywar.config.Cidr;
import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ClientAddressTest {
  private static final TrustedProxies PROXIES = proxies("10.0.0.0/8", "fd00::/8");

  private static TrustedProxies proxies(String... cidrs) {
    return TrustedProxies.of(java.util.Arrays.stream(cidrs).map(Cidr::parse).toList());
  }

  private static String refusal(String cidr) {
    return assertThrows(IllegalArgumentException.class, () -> Cidr.parse(cidr)).getMessage();
  }

  private static String resolve(String peer, String... forwardedFor) {
    return ClientAddress.resolve(peer, List.of(forwardedFor), PROXIES).value();
  }

  @Test
  void untrustedPeerIsTheClientWhateverItsForwardedForSays() {
    assertEquals("203.0.113.9", resolve("203.0.113.9", "198.51.100.1"));
    assertEquals("203.0.113.9", resolve("203.0.113.9", "10.1.1.1"));
  }

  @Test
  void trustedPeerNamesTheClientItSaw() {
    assertEquals("198.51.100.7", resolve("10.0.0.2", "198.51.100.7"));
  }

  @Test
  void forwardedForIsReadRightToLeftPastTrustedHops() {
    // the client wrote "1.1.1.1" itself; the first trusted proxy saw 198.51.100.7
    assertEquals("198.51.100.7", resolve("10.0.0.2", "1.1.1.1", "198.51.100.7", "10.0.0.9"));
  }

  @Test
  void allHopsTrustedGivesTheLeftmost() {
    assertEquals("10.0.0.5", resolve("10.0.0.2", "10.0.0.5", "10.0.0.9"));
  }

  @Test
  void trustedPeerWithoutForwardedForIsTheClient() {
    assertEquals("10.0.0.2", resolve("10.0.0.2"));
  }

  @Test
  void garbageStopsTheWalkAtTheLastTrustedHop() {
    assertEquals("10.0.0.9", resolve("10.0.0.2", "198.51.100.7", "unknown", "10.0.0.9"));
  }

  @Test
  void namesInForwardedForAreNeverLookedUp() {
    // "localhost" would resolve to a loopback address if it were looked up
    assertEquals("10.0.0.2", resolve("10.0.0.2", "localhost"));
    assertTrue(IpLiteral.parse("localhost").isEmpty());
    assertTrue(IpLiteral.parse("dead.beef").isEmpty());
    assertTrue(IpLiteral.parse("1:2:3").isEmpty());
  }

  @Test
  void ipv6HopsAreCanonicalised() {
    assertEquals("2001:db8:0:0:0:0:0:1", resolve("fd00::1", "2001:db8::1"));
    assertEquals("2001:db8:0:0:0:0:0:1", resolve("fd00::1", "[2001:db8::1]"));
  }

  @Test
  void ipv4MappedIpv6PeerCountsAsIpv4() {
    assertEquals("198.51.100.7", resolve("::ffff:10.0.0.2", "198.51.100.7"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"256.1.1.1", "1.2.3", "01.2.3.4", "1.2.3.4:80", "1.2.3.4.5", " ", ""})
  void notAnIpv4Literal(String text) {
    assertTrue(IpLiteral.parse(text).isEmpty(), text);
  }

  @Test
  void cidrBlocksMatchByPrefix() throws Exception {
    TrustedProxies p = proxies("192.168.4.0/22", "127.0.0.1", "::1");
    assertTrue(p.contains(InetAddress.getByName("192.168.7.255")));
    assertFalse(p.contains(InetAddress.getByName("192.168.8.0")));
    assertTrue(p.contains(InetAddress.getByName("127.0.0.1")));
    assertFalse(p.contains(InetAddress.getByName("127.0.0.2")));
    assertTrue(p.contains(InetAddress.getByName("::1")));
    assertFalse(TrustedProxies.none().any());
  }

  @Test
  void badBlocksAreRefusedWithAReason() {
    assertTrue(refusal("10.0.0.0/33").contains("prefix length"));
    assertTrue(refusal("proxy.local").contains("not an IP"));
    assertThrows(IllegalArgumentException.class, () -> proxies("10.0.0.0/x"));
  }
}
