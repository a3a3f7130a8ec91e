package dev.gatewaywar.routing;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What routing costs a request: {@link RequestPath#parse} of the raw path plus {@link Router#find},
 * exactly what the front controller does before any filter runs, for route tables of 10 to 10,000
 * routes. Not a test: surefire never runs it; see bench/README.md for how to run it.
 *
 * <p>Each service {@code svc<s>} gets five routes, a mix of the three pattern kinds as a real table
 * has them; lookups aim at a service in the middle of the table, so neither the first nor the last
 * entry of anything is favoured. The router's cost should not grow with the table (hash lookups and
 * a walk of the segment tree); these figures are what says whether it does.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
    value = 2,
    jvmArgsAppend = {"-Xms256m", "-Xmx256m"})
public class RouterBenchmark {

  /** A route table of {@code routes} routes and the raw paths the lookups use. */
  @State(Scope.Benchmark)
  public static class Table {
    @Param({"10", "100", "1000", "10000"})
    public int routes;

    Router<String> router;
    String exactPath;
    String paramPath;
    String prefixPath;
    String missPath;

    @Setup(Level.Trial)
    public void build() throws BadPathException {
      router = Router.of(routeTable(routes));
      int s = routes / ROUTES_PER_SERVICE / 2;
      exactPath = "/svc" + s + "/users";
      paramPath = "/svc" + s + "/users/12345/orders/987";
      prefixPath = "/svc" + s + "/files/reports/2024/q3.pdf";
      // a near miss: the service exists but not this resource, so every stage of find() is tried
      missPath = "/svc" + s + "/unknown/42";
      expect(exactPath, "/svc" + s + "/users");
      expect(paramPath, "/svc" + s + "/users/:id/orders/:orderId");
      expect(prefixPath, "/svc" + s + "/files/*");
      if (!(router.find(RequestPath.parse(missPath), "GET") instanceof Router.NotFound)) {
        throw new IllegalStateException(missPath + " should not match any route");
      }
    }

    /** Guards against measuring a lookup that does not find what the benchmark name says. */
    private void expect(String path, String pattern) throws BadPathException {
      Router.Lookup<String> lookup = router.find(RequestPath.parse(path), "GET");
      if (!(lookup instanceof Router.Found<String> found)
          || !found.route().pattern().text().equals(pattern)) {
        throw new IllegalStateException(path + " should match " + pattern + ", got " + lookup);
      }
    }
  }

  static final int ROUTES_PER_SERVICE = 5;

  /** {@code count} routes (a multiple of five), five per service, in the order a file has them. */
  static List<Router.Route<String>> routeTable(int count) {
    List<Router.Route<String>> table = new ArrayList<>(count);
    for (int s = 0; s < count / ROUTES_PER_SERVICE; s++) {
      String base = "/svc" + s;
      table.add(route(base + "/users", Set.of("GET", "POST")));
      table.add(route(base + "/users/:id", Set.of()));
      table.add(route(base + "/users/:id/orders/:orderId", Set.of("GET")));
      table.add(route(base + "/health", Set.of("GET")));
      table.add(route(base + "/files/*", Set.of()));
    }
    return table;
  }

  private static Router.Route<String> route(String pattern, Set<String> methods) {
    return new Router.Route<>(PathPattern.parse(pattern), methods, "upstream of " + pattern);
  }

  @Benchmark
  public Router.Lookup<String> exactHit(Table t) throws BadPathException {
    return t.router.find(RequestPath.parse(t.exactPath), "GET");
  }

  @Benchmark
  public Router.Lookup<String> paramHit(Table t) throws BadPathException {
    return t.router.find(RequestPath.parse(t.paramPath), "GET");
  }

  @Benchmark
  public Router.Lookup<String> prefixHit(Table t) throws BadPathException {
    return t.router.find(RequestPath.parse(t.prefixPath), "GET");
  }

  @Benchmark
  public Router.Lookup<String> miss(Table t) throws BadPathException {
    return t.router.find(RequestPath.parse(t.missPath), "GET");
  }

  /** The parse alone, to tell its share from the router's; it does not depend on the table. */
  @State(Scope.Benchmark)
  public static class Paths {
    String paramPath = "/svc100/users/12345/orders/987";
  }

  @Benchmark
  public RequestPath parseOnly(Paths p) throws BadPathException {
    return RequestPath.parse(p.paramPath);
  }
}
