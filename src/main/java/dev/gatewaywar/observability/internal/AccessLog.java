package dev.gatewaywar.observability.internal;

import dev.gatewaywar.observability.LoggingConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.Logger;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.ConsoleAppender;
import org.apache.logging.log4j.core.config.builder.api.AppenderComponentBuilder;
import org.apache.logging.log4j.core.config.builder.api.ConfigurationBuilder;
import org.apache.logging.log4j.core.config.builder.api.ConfigurationBuilderFactory;
import org.apache.logging.log4j.core.config.builder.impl.BuiltConfiguration;
import org.apache.logging.log4j.message.MapMessage;

/**
 * The access log: one line per request on standard output, written by a Log4j 2 logger context of
 * the gateway's own. It is built from code, never from a {@code log4j2.xml} the server or another
 * webapp might supply, and it is not Log4j's global context, so the server's logging (Tomcat's JUL,
 * WildFly's log manager) is neither read nor changed. JSON lines come from Log4j's JSON Template
 * Layout ({@code access-log.json}: time, level, then the entry's fields); text lines from a pattern
 * layout.
 */
public final class AccessLog implements AutoCloseable {
  private static final AtomicInteger INSTANCES = new AtomicInteger();
  private static final String TEMPLATE = "dev/gatewaywar/observability/access-log.json";
  private static final String TEXT_PATTERN =
      "%d{yyyy-MM-dd'T'HH:mm:ss.SSS'Z'}{UTC} %-5level %K{client} \"%K{method} %K{path}\""
          + " %K{status} %K{bytes_out}B %K{duration_ms}ms route=%K{route}"
          + " upstream=%K{upstream} attempts=%K{attempts} in=%K{bytes_in}B%notEmpty{ trace=%K{trace_id}}"
          + "%notEmpty{ cut=%K{cut}}%n";

  private final LoggerContext context;
  private final Logger logger;

  private AccessLog(LoggerContext context) {
    this.context = context;
    this.logger = context.getLogger("gateway.access");
  }

  /** Starts an access log writing {@code config.format()} lines at {@code config.level()}. */
  public static AccessLog start(LoggingConfig config) {
    ConfigurationBuilder<BuiltConfiguration> b =
        ConfigurationBuilderFactory.newConfigurationBuilder();
    String name = "gateway-access-log-" + INSTANCES.incrementAndGet();
    b.setConfigurationName(name);
    b.setStatusLevel(Level.ERROR);
    b.setShutdownHook("disable");
    AppenderComponentBuilder stdout =
        b.newAppender("stdout", "Console")
            .addAttribute("target", ConsoleAppender.Target.SYSTEM_OUT);
    if (config.format() == LoggingConfig.Format.JSON) {
      stdout.add(b.newLayout("JsonTemplateLayout").addAttribute("eventTemplate", template()));
    } else {
      stdout.add(b.newLayout("PatternLayout").addAttribute("pattern", TEXT_PATTERN));
    }
    b.add(stdout);
    b.add(
        b.newLogger("gateway.access", level(config.level()))
            .add(b.newAppenderRef("stdout"))
            .addAttribute("additivity", false));
    b.add(b.newRootLogger(Level.OFF));
    LoggerContext context = new LoggerContext(name);
    context.start(b.build());
    return new AccessLog(context);
  }

  /**
   * The level an entry for {@code status} is logged at: errors stand out at warn and error, and so
   * does a response the upstream cut short, whatever its status ({@code upstreamCut}).
   */
  public static Level levelFor(int status, boolean upstreamCut) {
    return status >= 500 || upstreamCut ? Level.ERROR : status >= 400 ? Level.WARN : Level.INFO;
  }

  /** True when an entry at {@code level} would be written, so callers can skip building it. */
  public boolean isEnabled(Level level) {
    return logger.isEnabled(level);
  }

  /** Writes one line with {@code fields} (names in snake_case, values strings or numbers). */
  public void write(Level level, Map<String, Object> fields) {
    logger.log(level, new MapMessage<>(fields));
  }

  @Override
  public void close() {
    context.stop();
  }

  private static Level level(String name) {
    return Level.toLevel(name.toUpperCase(Locale.ROOT), Level.INFO);
  }

  private static String template() {
    try (InputStream in = AccessLog.class.getClassLoader().getResourceAsStream(TEMPLATE)) {
      if (in == null) {
        throw new IllegalStateException(TEMPLATE + " is missing from the gateway's classes");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
