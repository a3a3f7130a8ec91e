package dev.gatewaywar.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SharedResourcesTest {
  private record Settings(String name, int size) {}

  private final List<Object> opened = new ArrayList<>();
  private final List<Object> closed = new ArrayList<>();
  private final SharedResources<Settings, Object> resources = new SharedResources<>(closed::add);

  private SharedResources.Lease<Object> acquire(Settings settings) {
    return resources.acquire(
        settings,
        s -> {
          Object r = new Object();
          opened.add(r);
          return r;
        });
  }

  @Test
  void equalSettingsShareOneResourceEvenAsDistinctInstances() {
    SharedResources.Lease<Object> a = acquire(new Settings("log", 1));
    SharedResources.Lease<Object> b = acquire(new Settings("log", 1));

    assertSame(a.resource(), b.resource());
    assertEquals(1, opened.size());
  }

  @Test
  void otherSettingsGetTheirOwn() {
    assertNotSame(
        acquire(new Settings("log", 1)).resource(), acquire(new Settings("log", 2)).resource());
    assertEquals(2, resources.size());
  }

  @Test
  void theLastReleaseClosesAndOnlyIt() {
    SharedResources.Lease<Object> a = acquire(new Settings("log", 1));
    SharedResources.Lease<Object> b = acquire(new Settings("log", 1));

    a.release();
    assertEquals(List.of(), closed);
    b.release();
    assertEquals(List.of(a.resource()), closed);
    assertEquals(0, resources.size());
  }

  @Test
  void aLeaseReleasedTwiceCountsOnce() {
    SharedResources.Lease<Object> a = acquire(new Settings("log", 1));
    SharedResources.Lease<Object> b = acquire(new Settings("log", 1));

    a.release();
    a.release();

    assertEquals(List.of(), closed, "b still holds it");
    b.release();
    assertEquals(1, closed.size());
  }

  @Test
  void afterTheLastReleaseTheSameSettingsOpenAFreshOne() {
    SharedResources.Lease<Object> first = acquire(new Settings("log", 1));
    first.release();

    SharedResources.Lease<Object> second = acquire(new Settings("log", 1));

    assertNotSame(first.resource(), second.resource());
    assertEquals(2, opened.size());
  }
}
