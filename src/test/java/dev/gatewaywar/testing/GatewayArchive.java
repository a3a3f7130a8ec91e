package dev.gatewaywar.testing;

import java.io.File;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.asset.StringAsset;
import org.jboss.shrinkwrap.api.spec.JavaArchive;
import org.jboss.shrinkwrap.api.spec.WebArchive;

/**
 * Builds the gateway web application for Arquillian deployments: the production classes and
 * web.xml, with a test's own config as the bundled {@code WEB-INF/gateway.yaml}. Libraries come
 * from the test class path (the container's parent loader), as they would from {@code WEB-INF/lib}.
 */
public final class GatewayArchive {
  private GatewayArchive() {}

  /** The gateway as {@code name} ({@code ROOT.war} for the root context) serving {@code yaml}. */
  public static WebArchive withConfig(String name, String yaml) {
    return ShrinkWrap.create(WebArchive.class, name)
        .addAsDirectories("WEB-INF/classes")
        .addAsWebInfResource(new File("src/main/webapp/WEB-INF/web.xml"), "web.xml")
        .addAsWebInfResource(new StringAsset(yaml), "gateway.yaml")
        .addAsLibrary(productionClasses());
  }

  /** Everything under target/classes, as one jar. */
  private static JavaArchive productionClasses() {
    JavaArchive jar = ShrinkWrap.create(JavaArchive.class, "gateway-classes.jar");
    jar.as(org.jboss.shrinkwrap.api.importer.ExplodedImporter.class)
        .importDirectory(new File("target/classes"));
    return jar;
  }
}
