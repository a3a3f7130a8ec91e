package dev.gatewaywar.testing;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** What one class logs (java.util.logging) while the capture is open. */
public final class LogCapture implements AutoCloseable {
  private final Logger logger; // held: the logging framework keeps loggers only weakly
  private final List<LogRecord> records = new CopyOnWriteArrayList<>();
  private final Handler handler =
      new Handler() {
        @Override
        public void publish(LogRecord record) {
          records.add(record);
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
      };

  private LogCapture(Logger logger) {
    this.logger = logger;
    logger.addHandler(handler);
  }

  /** Captures what the logger named after {@code source} logs. */
  public static LogCapture of(Class<?> source) {
    return new LogCapture(Logger.getLogger(source.getName()));
  }

  /** Every record so far. */
  public List<LogRecord> records() {
    return List.copyOf(records);
  }

  /** True when a message so far contains {@code text}. */
  public boolean contains(String text) {
    return records.stream().anyMatch(r -> String.valueOf(r.getMessage()).contains(text));
  }

  /** Every message so far, a line each, for assertion messages. */
  public String text() {
    StringBuilder all = new StringBuilder();
    records.forEach(r -> all.append(r.getLevel()).append(' ').append(r.getMessage()).append('\n'));
    return all.toString();
  }

  @Override
  public void close() {
    logger.removeHandler(handler);
  }
}
