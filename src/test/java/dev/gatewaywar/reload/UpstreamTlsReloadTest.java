package dev.gatewaywar.reload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatewaywar.standalone.EmbeddedGateway;
import dev.gatewaywar.testing.HeldAnswer;
import dev.gatewaywar.testing.RawHttp;
import dev.gatewaywar.testing.TestPki;
import dev.gatewaywar.testing.TestUpstream;
import dev.gatewaywar.testing.TlsUpstream;
import dev.gatewaywar.testing.WebappDir;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A route's {@code tls:} across reloads (docs/security.md, Upstream TLS), on a real embedded Tomcat
 * proxying to a real TLS upstream: its files are read again by every reload (a CA file replaced on
 * disk takes effect with the next reload of the config), and a route TLS pool no configuration uses
 * any more is closed, threads and all, once the last request of the configuration that used it has
 * ended.
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

  /**
   * tls block A, then B with a request still streaming through A's pool, then B again (another
   * route added), then no tls block: A's pool (its I/O threads) lives until that request has ended,
   * then goes; B's is kept by the reload that keeps the block, and goes with the reload to no tls.
   */
  @Test
  void aTlsPoolNoConfigurationUsesIsClosedAfterTheLastRequestOnIt() throws Exception {
    TestPki ca = TestPki.ca("upstream CA");
    Path caFile = ca.writeCertificate(dir.resolve("ca.pem"));
    Path configFile = dir.resolve("gateway.yaml");
    HeldAnswer held = new HeldAnswer();
    try (TlsUpstream tls =
            TlsUpstream.start(TestPki.serverContext(ca.server("upstream.test", "127.0.0.1")), false)
                .handle("/slow", held);
        TestUpstream plain = TestUpstream.start()) {
      String a = "tls:\n      ca_file: " + caFile;
      String b = a + "\n      server_name: upstream.test";
      Files.writeString(configFile, routes(tls.url(), a, "/a"));
      try (EmbeddedGateway gateway = EmbeddedGateway.start(WebappDir.create(), configFile, 0)) {
        assertEquals("path=/x;sni=none;client=none", get(gateway, "/x").body());
        String poolA = "gateway-upstream-tls1-";
        assertFalse(threadsNamed(poolA).isEmpty(), "pool A's threads");
        CompletableFuture<RawHttp.Response> slow =
            CompletableFuture.supplyAsync(
                () -> {
                  try {
                    return get(gateway, "/slow");
                  } catch (IOException e) {
                    throw new UncheckedIOException(e);
                  }
                },
                task -> new Thread(task, "slow-request").start());
        assertTrue(held.arrived(), "the slow request did not reach the upstream");

        Files.writeString(configFile, routes(tls.url(), b, "/b"));
        awaitStatus(gateway, "/b", 200);
        assertEquals("path=/x;sni=upstream.test;client=none", get(gateway, "/x").body());
        String poolB = "gateway-upstream-tls2-";
        assertFalse(threadsNamed(poolB).isEmpty(), "pool B's threads");
        assertFalse(threadsNamed(poolA).isEmpty(), "pool A closed under its request in flight");

        held.release();
        RawHttp.Response answer = slow.get(30, TimeUnit.SECONDS);
        assertEquals(200, answer.status());
        assertEquals(HeldAnswer.BODY, answer.body());
        awaitNoThreadsNamed(poolA);

        Files.writeString(configFile, routes(tls.url(), b, "/b-again"));
        awaitStatus(gateway, "/b-again", 200);
        assertEquals("path=/x;sni=upstream.test;client=none", get(gateway, "/x").body());
        assertFalse(threadsNamed(poolB).isEmpty(), "pool B was closed though still in use");
        assertTrue(threadsNamed("gateway-upstream-tls3-").isEmpty(), "pool B was built again");

        Files.writeString(configFile, routes(plain.url(), "", "/plain"));
        awaitStatus(gateway, "/plain", 200);
        awaitNoThreadsNamed(poolB);
      }
    } finally {
      held.release();
    }
  }

  /**
   * Route {@code /*} to {@code target} with {@code tls} (a block or nothing), and {@code marker}.
   */
  private static String routes(String target, String tls, String marker) {
    return """
        server:
          reload:
            interval: 100ms
            debounce: 20ms
        routes:
          - path: %2$s
            target: %1$s
            %3$s
          - path: /*
            target: %1$s
            %3$s
        """
        .formatted(target, marker, tls);
  }

  private static RawHttp.Response get(EmbeddedGateway gateway, String path) throws IOException {
    return RawHttp.send(
        gateway.port(), "GET " + path + " HTTP/1.1\nHost: gw\nConnection: close\n\n");
  }

  private static List<String> threadsNamed(String prefix) {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(Thread::isAlive)
        .map(Thread::getName)
        .filter(n -> n.startsWith(prefix))
        .toList();
  }

  private static void awaitNoThreadsNamed(String prefix) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    List<String> left;
    while (!(left = threadsNamed(prefix)).isEmpty()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("still running 10 s after their pool's last use: " + left);
      }
      Thread.sleep(20);
    }
  }

  private static void awaitStatus(EmbeddedGateway gateway, String path, int status)
      throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    int last;
    while ((last = get(gateway, path).status()) != status) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(path + " still " + last + " 10 s after the reload");
      }
      Thread.sleep(50);
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
