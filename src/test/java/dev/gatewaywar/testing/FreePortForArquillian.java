package dev.gatewaywar.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * Picks a free loopback port for the Arquillian embedded Tomcat before any test starts, so tests
 * never depend on 8080 being free on a shared machine (arquillian.xml reads the property).
 */
public final class FreePortForArquillian implements LauncherSessionListener {
  public static final String PROPERTY = "gateway.test.port";

  @Override
  public void launcherSessionOpened(LauncherSession session) {
    if (System.getProperty(PROPERTY) == null) {
      System.setProperty(PROPERTY, String.valueOf(freePort()));
    }
  }

  public static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
