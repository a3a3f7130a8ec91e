package dev.gatewaywar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.example.gateway.RequestIdMiddleware;
import dev.gatewaywar.api.Middleware;
import dev.gatewaywar.api.MiddlewareContext;
import dev.gatewaywar.config.ConfigBlock;
import dev.gatewaywar.config.ConfigException;
import dev.gatewaywar.config.ConfigLoader;
import dev.gatewaywar.config.ConfigProblem;
import dev.gatewaywar.testing.TestLoaders;
import jakarta.servlet.Filter;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** A custom middleware's own block is read as strictly as the gateway's, through the same seam. */
class CustomMiddlewareConfigTest {
  private static final ConfigLoader LOADER =
      new ConfigLoader(
          MiddlewareRegistry.load(TestLoaders.NO_PROVIDERS, List.of(new RequestIdMiddleware())),
          name -> null);

  private static List<ConfigProblem> problems(String yaml) {
    return assertThrows(ConfigException.class, () -> LOADER.parse(yaml, "test.yaml")).problems();
  }

  @Test
  void aMisspeltKeyInTheTopLevelBlockIsReportedWithItsLine() {
    List<ConfigProblem> p =
        problems(
            """
            request-id:
              hedaer: X-Id
            routes: []
            """);
    assertEquals(1, p.size(), p.toString());
    assertEquals(2, p.get(0).line());
    assertEquals("request-id.hedaer", p.get(0).key());
    assertTrue(p.get(0).message().contains("did you mean 'header'"), p.get(0).message());
  }

  @Test
  void aRouteBlockIsCheckedByItsOwner() {
    List<ConfigProblem> p =
        problems(
            """
            routes:
              - path: /a
                target: http://h
                middleware: [request-id]
                request-id:
                  header: "not a header"
              - path: /b
                target: http://h
                request-id:
                  header: X-Id
            """);
    assertEquals(2, p.size(), p.toString());
    assertEquals(6, p.get(0).line());
    assertTrue(p.get(0).message().contains("is not a header name"), p.get(0).message());
    assertEquals(10, p.get(1).line()); // the block's first line
    assertTrue(p.get(1).message().contains("does not list request-id"), p.get(1).message());
  }

  @Test
  void aBlockNobodyOwnsIsAnUnknownKey() {
    List<ConfigProblem> p =
        problems(
            """
            request_idd:
              header: X-Id
            routes: []
            """);
    assertEquals(1, p.size(), p.toString());
    assertEquals("request_idd", p.get(0).key());
    assertTrue(p.get(0).message().startsWith("unknown key"), p.get(0).message());
  }

  @Test
  void aBlockMayNotTakeASkeletonKeyNorAnotherMiddlewaresBlock() {
    IllegalStateException skeleton =
        assertThrows(IllegalStateException.class, () -> loaderWith(owning("a", "server")));
    assertTrue(skeleton.getMessage().contains("'a' claims the configuration key 'server'"));
    IllegalStateException twice =
        assertThrows(
            IllegalStateException.class,
            () -> loaderWith(owning("a", "shared"), owning("b", "shared")));
    assertTrue(twice.getMessage().contains("both claim the configuration block 'shared'"));
  }

  private static ConfigLoader loaderWith(Middleware... middleware) {
    return new ConfigLoader(
        MiddlewareRegistry.load(TestLoaders.NO_PROVIDERS, List.of(middleware)), name -> null);
  }

  /** A middleware named {@code name} owning a top-level block at {@code key}. */
  private static Middleware owning(String name, String key) {
    ConfigBlock<String, Void> block = ConfigBlock.topLevel(key, s -> s.string("x", ""));
    return new Middleware() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public Optional<ConfigBlock<?, ?>> config() {
        return Optional.of(block);
      }

      @Override
      public Filter create(MiddlewareContext context) {
        throw new UnsupportedOperationException();
      }
    };
  }
}
