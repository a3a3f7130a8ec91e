package dev.gatewaywar.launcher;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Makes {@code java -jar gateway.war} work, in the manner of jenkins.war. This class sits at the
 * WAR's root, where app servers never look, and uses nothing but the JDK. It unpacks the WAR's
 * {@code WEB-INF} once into a cache folder keyed by the WAR's size and date, puts the webapp's
 * classes and libraries plus the embedded Tomcat kept in {@code WEB-INF/standalone} on a class
 * loader, and hands over to {@code dev.gatewaywar.standalone.StandaloneMain}.
 */
public final class Launcher {
  private static final String MAIN = "dev.gatewaywar.standalone.StandaloneMain";

  private Launcher() {}

  public static void main(String[] args) throws Exception {
    Path war = Path.of(Launcher.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    if (Files.isDirectory(war)) {
      System.err.println("gateway.war: run me as java -jar gateway.war");
      System.exit(2);
    }
    Path home = unpack(war);
    URLClassLoader loader =
        new URLClassLoader(classPath(home), ClassLoader.getPlatformClassLoader());
    Thread.currentThread().setContextClassLoader(loader);
    System.setProperty("gateway.home", home.toString());
    System.setProperty("gateway.war", war.toString());
    Method main = loader.loadClass(MAIN).getMethod("main", String[].class);
    try {
      main.invoke(null, (Object) args);
    } catch (InvocationTargetException e) {
      throw e.getCause() instanceof Exception ex ? ex : e;
    }
  }

  private static Path unpack(Path war) throws IOException {
    String key = Files.size(war) + "-" + Files.getLastModifiedTime(war).toMillis();
    Path cache =
        Path.of(
            System.getProperty("java.io.tmpdir"), "gateway.war-" + System.getProperty("user.name"));
    Path home = cache.resolve(key);
    if (Files.isDirectory(home)) {
      return home;
    }
    Files.createDirectories(cache);
    Path staging = Files.createTempDirectory(cache, "unpack-");
    try (ZipFile zip = new ZipFile(war.toFile())) {
      Enumeration<? extends ZipEntry> entries = zip.entries();
      while (entries.hasMoreElements()) {
        ZipEntry entry = entries.nextElement();
        if (!entry.getName().startsWith("WEB-INF/") || entry.isDirectory()) {
          continue;
        }
        Path target = staging.resolve(entry.getName()).normalize();
        if (!target.startsWith(staging)) {
          throw new IOException("unsafe entry in WAR: " + entry.getName());
        }
        Files.createDirectories(target.getParent());
        try (InputStream in = zip.getInputStream(entry)) {
          Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
    try {
      Files.move(staging, home, StandardCopyOption.ATOMIC_MOVE);
    } catch (FileAlreadyExistsException | AtomicMoveNotSupportedException e) {
      // another start unpacked the same WAR at the same time: use theirs
      if (!Files.isDirectory(home)) {
        throw e;
      }
    } catch (IOException e) {
      if (!Files.isDirectory(home)) {
        throw e;
      }
    }
    return home;
  }

  private static URL[] classPath(Path home) throws IOException {
    List<URL> urls = new ArrayList<>();
    urls.add(home.resolve("WEB-INF/classes").toUri().toURL());
    for (String dir : new String[] {"WEB-INF/lib", "WEB-INF/standalone"}) {
      Path d = home.resolve(dir);
      if (!Files.isDirectory(d)) {
        continue;
      }
      try (DirectoryStream<Path> jars = Files.newDirectoryStream(d, "*.jar")) {
        for (Path jar : jars) {
          urls.add(jar.toUri().toURL());
        }
      }
    }
    return urls.toArray(new URL[0]);
  }
}
