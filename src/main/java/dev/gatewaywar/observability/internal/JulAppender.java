package dev.gatewaywar.observability.internal;

import java.io.Serializable;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.apache.logging.log4j.core.Layout;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Property;

/**
 * Hands each access line, formatted by the access log's layout, to java.util.logging as one message
 * on logger {@value #LOGGER} at INFO: the app server's own logging then routes, formats and rotates
 * it (Tomcat's JULI handlers, WildFly's logging subsystem), and an operator configures it with the
 * tools of that server. The message is the line itself, without its line break, so a handler whose
 * formatter prints only the message writes pure JSON lines.
 */
final class JulAppender extends AbstractAppender {
  static final String LOGGER = "dev.gatewaywar.access";

  private final Logger logger = Logger.getLogger(LOGGER);

  JulAppender(String name, Layout<? extends Serializable> layout) {
    super(name, null, layout, true, Property.EMPTY_ARRAY);
  }

  @Override
  public void append(LogEvent event) {
    if (!logger.isLoggable(Level.INFO)) {
      return;
    }
    String line = getLayout().toSerializable(event).toString();
    int end = line.length();
    while (end > 0 && (line.charAt(end - 1) == '\n' || line.charAt(end - 1) == '\r')) {
      end--;
    }
    LogRecord record = new LogRecord(Level.INFO, line.substring(0, end));
    record.setLoggerName(LOGGER);
    // the message is data, not a format pattern: braces in a path must not be read as {0}
    record.setParameters(null);
    logger.log(record);
  }
}
