package dev.gatewaywar.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How the Keycloak harness tells a Java 21+ installation from an older one. */
class KeycloakJavaVersionTest {
  @TempDir Path dir;

  @Test
  void temurinReleaseFileGivesItsFeatureVersion() throws Exception {
    Files.writeString(
        dir.resolve("release"),
        "IMPLEMENTOR=\"Eclipse Adoptium\"\nJAVA_RUNTIME_VERSION=\"25.0.3+9-LTS\"\n"
            + "JAVA_VERSION=\"25.0.3\"\n");
    assertEquals(25, Keycloak.javaFeatureVersion(dir));
  }

  @Test
  void debianOpenJdk17IsTooOldForKeycloak() throws Exception {
    Files.writeString(dir.resolve("release"), "JAVA_VERSION=\"17.0.15\"\nOS_NAME=\"Linux\"\n");
    assertEquals(17, Keycloak.javaFeatureVersion(dir));
  }

  @Test
  void directoryWithoutReleaseFileOrVersionCountsAsNoJava() throws Exception {
    assertEquals(0, Keycloak.javaFeatureVersion(dir));
    Files.writeString(dir.resolve("release"), "JAVA_VERSION=\"not-a-version\"\n");
    assertEquals(0, Keycloak.javaFeatureVersion(dir));
  }

  @Test
  void runningJvmIsReadFromItsOwnReleaseFile() {
    assertEquals(
        Runtime.version().feature(),
        Keycloak.javaFeatureVersion(Path.of(System.getProperty("java.home"))));
  }
}
