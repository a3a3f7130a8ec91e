package dev.gatewaywar.ratelimit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.gatewaywar.testing.FreePortForArquillian;
import dev.gatewaywar.testing.GatewayProcess;
import dev.gatewaywar.testing.RawHttp;
import dev.gatewaywar.testing.RedisServer;
import dev.gatewaywar.testing.TestUpstream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The built WAR, run with {@code java -jar}, limiting through a real Redis: Bucket4j, Lettuce and
 * Netty load from the WAR's own {@code WEB-INF/lib} under the launcher's class loader.
 */
class RateLimitWarIT {
  @TempDir Path dir;

  @Test
  void packagedGatewayLimitsThroughRedis() throws Exception {
    try (TestUpstream upstream = TestUpstream.start();
        RedisServer redis = RedisServer.start()) {
      int port = FreePortForArquillian.freePort();
      Path config = dir.resolve("gateway.yaml");
      Files.writeString(
          config,
          """
          server:
            port: %d
          routes:
            - path: /api/*
              target: %s
              middleware: [ratelimit]
          rate_limit:
            enabled: true
            requests_per_second: 0.01
            burst: 2
            backend: redis
            redis:
              url: %s
              timeout: 2s    # this test is about packaging; a loaded CI machine is slow
          """
              .formatted(port, upstream.url(), redis.url()));
      try (GatewayProcess gateway =
          GatewayProcess.start(List.of(), port, "--config", config.toString())) {
        String get = "GET /api/x HTTP/1.1\nHost: gw\nConnection: close\n\n";
        assertEquals(200, RawHttp.send(port, get).status(), gateway.output());
        assertEquals(200, RawHttp.send(port, get).status());
        RawHttp.Response limited = RawHttp.send(port, get);
        assertEquals(429, limited.status(), gateway.output());
        assertEquals("{\"error\":\"rate limit exceeded\"}", limited.body());
      }
    }
  }
}
