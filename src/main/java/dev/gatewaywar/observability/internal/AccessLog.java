package dev.gatewaywar.observability.internal;

import dev.gatewaywar.observability.LoggingConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.Layout;
import org.apache.logging.log4j.core.Logger;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.ConsoleAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.builder.api.AppenderComponentBuilder;
import org.apache.logging.log4j.core.config.builder.api.ConfigurationBuilder;
import org.apache.logging.log4j.core.config.builder.api.ConfigurationBuilderFactory;
import org.apache.logging.log4j.core.config.builder.api.LoggerComponentBuilder;
import org.apache.logging.log4j.core.config.builder.impl.BuiltConfiguration;
import org.apache.logging.log4j.core.layout.PatternLayout;
import org.apache.logging.log4j.layout.template.json.JsonTemplateLayout;
import org.apache.logging.log4j.message.MapMessage;

/**
 * The access log: one line per request on standard output (or, with {@code logging.sink: jul}, one
 * java.util.logging message per request: {@link JulAppender}), written by a Log4j 2 logger context
 * of the gateway's own. It is built from code, never from a {@code log4j2.xml} the server or
 * another webapp might supply, and it is not Log4j's global context, so the server's logging
 * (Tomcat's JUL, WildFly's log manager) is neither read nor changed. JSON lines come from Log4j's
 * JSON Template Layout ({@code access-log.json}: time, level, then the entry's fields); text lines
 * from a pattern layout.
 */
public final class AccessLog implements AutoCloseable {
  private static final AtomicInteger INSTANCES = new AtomicInteger();
  private static final String TEMPLATE = "dev/gatewaywar/observability/access-log.json";
  private static final String TEXT_PATTERN =
      "%d{yyyy-MM-dd'T'HH:mm:ss.SSS'Z'}{UTC} %-5level %K{client} \"%K{method} %K{path}\""
          + " %K{status} %K{bytes_out}B %K{duration_ms}ms route=%K{route}"
          + " upstream=%K{upstream} attempts=%K{attempts} in=%K{bytes_in}B"
          + "%notEmpty{ consumer=%K{consumer}}%notEmpty{ trace=%K{trace_id}}"
          + "%notEmpty{ cut=%K{cut}}%notEmpty{ request_id=%K{request_id}}%n";

  private static final String LOGGER = "gateway.access";

  private final LoggerContext context;
  private final Logger logger;

  private AccessLog(LoggerContext context) {
    this.context = context;
    this.logger = context.getLogger(LOGGER);
  }

  /**
   * Starts an access log writing {@code config.format()} lines at {@code config.level()} to {@code
   * config.sink()}.
   */
  public static AccessLog start(LoggingConfig config) {
    ConfigurationBuilder<BuiltConfiguration> b =
        ConfigurationBuilderFactory.newConfigurationBuilder();
    String name = "gateway-access-log-" + INSTANCES.incrementAndGet();
    b.setConfigurationName(name);
    b.setStatusLevel(Level.ERROR);
    b.setShutdownHook("disable");
    LoggerComponentBuilder access =
        b.newLogger(LOGGER, level(config.level())).addAttribute("additivity", false);
    if (config.sink() == LoggingConfig.Sink.STDOUT) {
      AppenderComponentBuilder stdout =
          b.newAppender("stdout", "Console")
              .addAttribute("target", ConsoleAppender.Target.SYSTEM_OUT);
      if (config.format() == LoggingConfig.Format.JSON) {
        stdout.add(b.newLayout("JsonTemplateLayout").addAttribute("eventTemplate", template()));
      } else {
        stdout.add(b.newLayout("PatternLayout").addAttribute("pattern", TEXT_PATTERN));
      }
      b.add(stdout);
      access.add(b.newAppenderRef("stdout"));
    }
    b.add(access);
    b.add(b.newRootLogger(Level.OFF));
    LoggerContext context = new LoggerContext(name);
    context.start(b.build());
    if (config.sink() == LoggingConfig.Sink.JUL) {
      addJulAppender(context, config.format());
    }
    return new AccessLog(context);
  }

  /** The JUL appender is the gateway's own class: added to the built configuration by hand. */
  private static void addJulAppender(LoggerContext context, LoggingConfig.Format format) {
    Configuration c = context.getConfiguration();
    Layout<? extends Serializable> layout =
        format == LoggingConfig.Format.JSON
            ? JsonTemplateLayout.newBuilder()
                .setConfiguration(c)
                .setEventTemplate(template())
                .build()
            : PatternLayout.newBuilder().withConfiguration(c).withPattern(TEXT_PATTERN).build();
    JulAppender jul = new JulAppender("jul", layout);
    jul.start();
    c.addAppender(jul);
    c.getLoggerConfig(LOGGER).addAppender(jul, null, null);
    context.updateLoggers();
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
