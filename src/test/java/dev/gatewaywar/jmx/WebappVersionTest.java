package dev.gatewaywar.jmx;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class WebappVersionTest {
  @Test
  void tomcatContextNamesCarryTheVersionAfterTwoHashes() {
    assertEquals(Optional.of("2"), WebappVersion.fromContextName("/gateway##2"));
    assertEquals(Optional.of("20261203"), WebappVersion.fromContextName("##20261203"));
    assertEquals(Optional.empty(), WebappVersion.fromContextName("/gateway"));
    assertEquals(Optional.empty(), WebappVersion.fromContextName(""));
    assertEquals(Optional.empty(), WebappVersion.fromContextName("/gateway##"));
  }

  @Test
  void aLoaderThatIsNotTomcatsHasNoVersion() {
    assertEquals(Optional.empty(), WebappVersion.of(WebappVersionTest.class.getClassLoader()));
    assertEquals(Optional.empty(), WebappVersion.of(null));
  }
}
