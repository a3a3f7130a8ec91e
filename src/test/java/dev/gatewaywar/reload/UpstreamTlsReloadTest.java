package dev.gatewaywar.reload;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.gatewaywar.standalone.EmbeddedGateway;
import dev.gatewaywar.testing.RawHttp;
import dev.gatewaywar.testing.TestPki;
import dev.gatewaywar.testing.TlsUpstream;
import dev.gatewaywar.testing.WebappDir;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A route's {@code tls:} files are read again by every reload (docs/security.md, Upstream TLS): a
 * CA file replaced on disk takes effect with the next reload of the config, on a real embedded
 * Tomcat proxying to a real TLS upstream.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class UpstreamTlsReloadTest {
  @TempDir Path dir;

  private static String config(Path caFile, String url, String comment) {
    return """
        # %s
        server:
          reload:
            interval: 100ms
            debounce: 20ms
        routes:
          - path: /*
            target: %s
            tls:
              ca_file: %s
        """
        .formatted(comment, url, caFile);
  }

  @Test
  void aReplacedCaFileIsReadByTheNextReload() throws Exception {
    TestPki upstreamCa = TestPki.ca("upstream CA");
    TestPki otherCa = TestPki.ca("other CA");
    Path caFile = upstreamCa.writeCertificate(dir.resolve("ca.pem"));
    Path configFile = dir.resolve("gateway.yaml");
    try (TlsUpstream tls =
        TlsUpstream.start(TestPki.serverContext(upstreamCa.server("127.0.0.1")), false)) {
      Files.writeString(configFile, config(caFile, tls.url(), "first"));
      try (EmbeddedGateway gateway = EmbeddedGateway.start(WebappDir.create(), configFile, 0)) {
        assertEquals(200, status(gateway), "the upstream's CA is trusted");

        otherCa.writeCertificate(caFile);
        assertEquals(200, status(gateway), "the file is read at load, not per request");

        Files.writeString(configFile, config(caFile, tls.url(), "second"));
        awaitStatus(gateway, 502);

        upstreamCa.writeCertificate(caFile);
        Files.writeString(configFile, config(caFile, tls.url(), "third"));
        awaitStatus(gateway, 200);
      }
    }
  }

  private static int status(EmbeddedGateway gateway) throws Exception {
    return RawHttp.send(gateway.port(), "GET /x HTTP/1.1\nHost: gw\nConnection: close\n\n")
        .status();
  }

  private static void awaitStatus(EmbeddedGateway gateway, int status) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    int last;
    while ((last = status(gateway)) != status) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("still " + last + " 10 s after the reload, expected " + status);
      }
      Thread.sleep(50);
    }
  }
}
