package dev.gatewaywar.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.InetAddress;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class CidrTest {

  @ParameterizedTest
  @CsvSource({
    "10.0.0.0/8, 10.255.1.2, true",
    "10.0.0.0/8, 11.0.0.1, false",
    "127.0.0.1/32, 127.0.0.1, true",
    "127.0.0.1/32, 127.0.0.2, false",
    "192.168.4.0/22, 192.168.7.255, true",
    "192.168.4.0/22, 192.168.8.0, false",
    "0.0.0.0/0, 203.0.113.9, true",
    "::1/128, ::1, true",
    "2001:db8::/32, 2001:db8:ffff::1, true",
    "2001:db8::/32, 2001:db9::1, false",
    "10.0.0.0/8, ::ffff:0b00:0001, false",
    "::/0, 10.0.0.1, false",
    "10.1.2.3, 10.1.2.3, true",
  })
  void containsOnlyAddressesInTheBlock(String block, String address, boolean expected)
      throws Exception {
    assertEquals(expected, Cidr.parse(block).contains(InetAddress.getByName(address)));
  }

  @ParameterizedTest
  @ValueSource(strings = {"localhost", "10.0.0.0/33", "::1/129", "10.0.0.0/x", "10.0.0.0/-1", ""})
  void nonLiteralsAndBadPrefixesAreRefused(String text) {
    assertThrows(IllegalArgumentException.class, () -> Cidr.parse(text));
  }

  @ParameterizedTest
  @ValueSource(strings = {"10.1.2.3/8"})
  void hostBitsAreCleared(String text) {
    Cidr c = Cidr.parse(text);
    assertEquals("10.0.0.0/8", c.toString());
    assertFalse(c.contains(InetAddress.getLoopbackAddress()));
  }
}
