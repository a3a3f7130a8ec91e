package dev.gatewaywar.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A minimal unpacked gateway webapp for {@code EmbeddedGateway} tests: the production web.xml in a
 * temporary folder. Classes and libraries come from the test class path, which is the webapp's
 * parent loader, as the launcher's loader is under {@code java -jar}.
 */
public final class WebappDir {
  private WebappDir() {}

  public static Path create() throws IOException {
    Path dir = Files.createTempDirectory("gateway-webapp");
    Files.createDirectories(dir.resolve("WEB-INF"));
    Files.copy(Path.of("src/main/webapp/WEB-INF/web.xml"), dir.resolve("WEB-INF/web.xml"));
    Files.copy(
        Path.of("src/main/webapp/WEB-INF/gateway.yaml"), dir.resolve("WEB-INF/gateway.yaml"));
    return dir;
  }

  /**
   * Like {@link #create()}, with {@code providers} listed as {@link dev.gatewaywar.Middleware}s.
   */
  public static Path withMiddleware(Class<?>... providers) throws IOException {
    Path dir = create();
    Path services = dir.resolve("WEB-INF/classes/META-INF/services");
    Files.createDirectories(services);
    StringBuilder list = new StringBuilder();
    for (Class<?> p : providers) {
      list.append(p.getName()).append('\n');
    }
    Files.writeString(services.resolve("dev.gatewaywar.api.Middleware"), list);
    return dir;
  }
}
