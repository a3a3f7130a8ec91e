package dev.gatewaywar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatewaywar.api.Middleware;
import dev.gatewaywar.api.MiddlewareContext;
import dev.gatewaywar.observability.GatewayMetrics;
import jakarta.servlet.Filter;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MiddlewareRegistryTest {
  private static final GatewayMetrics METRICS = GatewayMetrics.create();

  /**
   * Sees no {@code META-INF/services} files, so what the registry knows is exactly what a test
   * gives it, whatever providers the test class path happens to hold.
   */
  private final ClassLoader loader = new URLClassLoader(new URL[0], null);

  /** A middleware that only has a name; its filter passes every request on. */
  private record Named(String name) implements Middleware {
    @Override
    public Filter create(MiddlewareContext context) {
      return (req, res, chain) -> chain.doFilter(req, res);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"auth", "ratelimit", "logging", "metrics", "tracing"})
  void everyGoOriginalMiddlewareIsBuiltIn(String name) {
    MiddlewareRegistry registry = MiddlewareRegistry.standard(loader, METRICS);

    assertEquals(Optional.empty(), registry.problemWith(name));
    assertTrue(registry.find(name).isPresent(), name);
  }

  @Test
  void ratelimitIsBuiltIn() {
    MiddlewareRegistry registry = MiddlewareRegistry.standard(loader, METRICS);

    assertEquals(Optional.empty(), registry.problemWith("ratelimit"));
    assertTrue(
        registry.find("ratelimit").orElseThrow()
            instanceof dev.gatewaywar.ratelimit.RateLimitMiddleware);
  }

  @Test
  void unknownNameSaysNoneAreInstalled() {
    assertEquals(
        Optional.of("unknown middleware 'cors' (none are installed)"),
        MiddlewareRegistry.load(loader, List.of()).problemWith("cors"));
  }

  @Test
  void unknownNameListsTheKnownOnesSorted() {
    MiddlewareRegistry registry =
        MiddlewareRegistry.load(loader, List.of(new Named("zeta"), new Named("alpha")));

    assertEquals(
        Optional.of("unknown middleware 'cors' (known: alpha, zeta)"),
        registry.problemWith("cors"));
  }

  @Test
  void namesAreCaseSensitive() {
    MiddlewareRegistry registry = MiddlewareRegistry.load(loader, List.of(new Named("cors")));

    assertTrue(registry.problemWith("CORS").isPresent());
  }

  @Test
  void registeredMiddlewareIsAcceptedAndFound() {
    Named cors = new Named("cors");
    MiddlewareRegistry registry = MiddlewareRegistry.load(loader, List.of(cors));

    assertEquals(Optional.empty(), registry.problemWith("cors"));
    assertSame(cors, registry.find("cors").orElseThrow());
  }

  /** A provider a jar could ship, claiming the built-in name {@code auth}. */
  public static final class ShadowAuth implements Middleware {
    @Override
    public String name() {
      return "auth";
    }

    @Override
    public Filter create(MiddlewareContext context) {
      return (req, res, chain) -> chain.doFilter(req, res);
    }
  }

  @Test
  void aJarProviderNamedLikeABuiltInIsRefused(@TempDir Path jar) throws IOException {
    Path services = Files.createDirectories(jar.resolve("META-INF/services"));
    Files.writeString(services.resolve(Middleware.class.getName()), ShadowAuth.class.getName());
    try (URLClassLoader withProvider =
        new URLClassLoader(new URL[] {jar.toUri().toURL()}, getClass().getClassLoader())) {
      IllegalStateException e =
          assertThrows(
              IllegalStateException.class,
              () -> MiddlewareRegistry.standard(withProvider, METRICS));

      assertTrue(e.getMessage().contains("'auth'"), e.getMessage());
    }
  }

  @Test
  void twoMiddlewareWithOneNameAreRefused() {
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () -> MiddlewareRegistry.load(loader, List.of(new Named("cors"), new Named("cors"))));

    assertTrue(e.getMessage().contains("'cors'"), e.getMessage());
  }

  @Test
  void aMisspeltBuiltInNameIsUnknownAndTheBuiltInsAreListed() {
    Optional<String> problem =
        MiddlewareRegistry.standard(loader, METRICS).problemWith("ratelimitt");

    TreeSet<String> builtIns = new TreeSet<>();
    MiddlewareRegistry.builtIns(METRICS).forEach(m -> builtIns.add(m.name()));
    assertEquals(
        "auth, basic_auth, cors, headers, ip_filter, logging, metrics, ratelimit, request_id, tracing",
        String.join(", ", builtIns));
    assertEquals(
        Optional.of("unknown middleware 'ratelimitt' (known: " + String.join(", ", builtIns) + ")"),
        problem);
  }
}
