package dev.gatewaywar.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * One mapping of the configuration file, as a {@link ConfigBlock} reads it. Strict by design: every
 * key a reader does not ask for is reported as unknown (with a suggestion when it is a near miss)
 * once the block is read, and a value of the wrong type is reported with its key and line while the
 * default is returned, so that one pass finds every problem in the file. A reader never throws for
 * bad input: it records a problem and goes on.
 *
 * <p>A section whose key is absent from the file is empty: every getter returns its default.
 */
public interface ConfigSection {

  /** Where this section is, for messages ({@code rate_limit}, {@code routes[2].auth}). */
  String path();

  /** The section's line in the file (0 when it is absent). */
  int line();

  /** True when {@code key} is present with a non-null value. */
  boolean has(String key);

  String string(String key, String defaultValue);

  /** A string that must be present; a problem is recorded when it is not. */
  Optional<String> requiredString(String key);

  /** {@code true/false} (also {@code yes/no}, {@code on/off}). */
  boolean bool(String key, boolean defaultValue);

  int integer(String key, int defaultValue, int min, int max);

  double number(String key, double defaultValue, double minExclusive);

  /** A duration written with its unit ({@code 250ms}, {@code 30s}, {@code 5m}); zero refused. */
  Duration duration(String key, Duration defaultValue);

  /** A size in bytes written with its unit ({@code 64KiB}), between {@code min} and {@code max}. */
  int size(String key, int defaultValue, int min, int max);

  /** One of an enum's constants, written in lower case in the file. */
  <E extends Enum<E>> E choice(String key, Class<E> type, E defaultValue);

  /** A list of single values, each with where it was. */
  List<Item> scalarList(String key);

  /** A mapping of names to single values ({@code {sub: X-User-Id}}), in file order. */
  Map<String, Item> scalarMap(String key);

  /**
   * A mapping of names to templates a middleware resolves per request: as {@link #scalarMap}, but
   * the {@code ${NAME}} references {@code kept} accepts are left in the values as written, and so
   * is every escaped {@code $${} (the caller unescapes it); the other references are resolved from
   * the environment as everywhere in the file.
   *
   * @param kept given the text between {@code ${} and {@code }}
   */
  Map<String, Item> templateMap(String key, Predicate<String> kept);

  /** A nested mapping; empty when absent. Its unknown keys are reported with this section's. */
  ConfigSection section(String key);

  /** Records a problem about {@code key} (at its value's line, or this section's when absent). */
  void problem(String key, String message);

  /** Records a problem about one element of a list or mapping. */
  void problem(Item item, String message);

  /** Records a problem about this section as a whole. */
  void problem(String message);

  /**
   * Reports the keys of this section (and of the sections read through it) that no one asked for,
   * now rather than after the block's reader returns; once per section however often it is called.
   */
  void rejectUnknownKeys();

  /** How many problems the whole file has so far (to avoid reporting one cause twice). */
  int problemCount();

  /**
   * A single value with where it was.
   *
   * @param value the text, {@code ${NAME}} references resolved
   * @param path its key path, for messages
   * @param line its line in the file
   */
  record Item(String value, String path, int line) {}
}
