package dev.gatewaywar.config.internal;

import dev.gatewaywar.config.ConfigSection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Reads one YAML mapping with line numbers kept, records every key it is asked for, and reports the
 * keys nobody asked for: that is how an unknown (often misspelt) key stops deployment instead of
 * being ignored. Type errors are recorded as problems and the default is returned, so that one pass
 * finds every problem in the file.
 */
public final class YamlReader implements ConfigSection {
  private final Node node;
  private final String path;
  private final Problems problems;
  private final Interpolator interpolator;
  private final Map<String, NodeTuple> entries = new LinkedHashMap<>();
  private final Set<String> asked = new LinkedHashSet<>();
  private final Map<String, YamlReader> mappings = new LinkedHashMap<>();
  private final List<YamlReader> listed = new ArrayList<>();
  private boolean checked;

  private YamlReader(Node node, String path, Problems problems, Interpolator interpolator) {
    this.node = node;
    this.path = path;
    this.problems = problems;
    this.interpolator = interpolator;
    if (node instanceof MappingNode mapping) {
      for (NodeTuple tuple : mapping.getValue()) {
        if (tuple.getKeyNode() instanceof ScalarNode key) {
          // compose() builds nodes only; SnakeYAML's own duplicate-key check runs when it
          // constructs objects, which we never do, so a repeated key would silently win here
          NodeTuple earlier = entries.putIfAbsent(key.getValue(), tuple);
          if (earlier != null) {
            problems.add(
                key,
                keyPath(key.getValue()),
                "duplicate key (first at line " + Problems.lineOf(earlier.getKeyNode()) + ")");
          }
        } else {
          problems.add(tuple.getKeyNode(), path, "keys must be plain names");
        }
      }
    } else if (node != null && !isNull(node)) {
      problems.add(node, path, "expected a mapping of keys to values, found " + describe(node));
    }
  }

  /** A reader for the document's root mapping (null for an empty document). */
  public static YamlReader root(Node node, Problems problems, UnaryOperator<String> variables) {
    Interpolator interpolator = new Interpolator(variables);
    SecretKeys.collect(node, interpolator, problems::hide);
    return new YamlReader(node, "", problems, interpolator);
  }

  public Node node() {
    return node;
  }

  @Override
  public String path() {
    return path;
  }

  public Problems problems() {
    return problems;
  }

  @Override
  public int line() {
    return Problems.lineOf(node);
  }

  @Override
  public boolean has(String key) {
    asked.add(key);
    NodeTuple t = entries.get(key);
    return t != null && !isNull(t.getValueNode());
  }

  /** The key's path for messages, e.g. {@code routes[0].timeouts.read}. */
  public String keyPath(String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  public Optional<Node> value(String key) {
    asked.add(key);
    NodeTuple t = entries.get(key);
    return t == null || isNull(t.getValueNode()) ? Optional.empty() : Optional.of(t.getValueNode());
  }

  @Override
  public String string(String key, String defaultValue) {
    return value(key).map(n -> scalar(n, keyPath(key))).orElse(defaultValue);
  }

  /** A string that must be present; a problem is recorded when it is not. */
  @Override
  public Optional<String> requiredString(String key) {
    Optional<Node> v = value(key);
    if (v.isEmpty()) {
      problems.add(node, keyPath(key), "is required");
      return Optional.empty();
    }
    return Optional.ofNullable(scalar(v.get(), keyPath(key)));
  }

  @Override
  public boolean bool(String key, boolean defaultValue) {
    return typed(
        key,
        defaultValue,
        s ->
            switch (s.toLowerCase(java.util.Locale.ROOT)) {
              case "true", "yes", "on" -> true;
              case "false", "no", "off" -> false;
              default ->
                  throw new IllegalArgumentException("expected true or false, found '" + s + "'");
            });
  }

  @Override
  public int integer(String key, int defaultValue, int min, int max) {
    return typed(
        key,
        defaultValue,
        s -> {
          int n;
          try {
            n = Integer.parseInt(s);
          } catch (NumberFormatException e) {
            throw new IllegalArgumentException("expected a whole number, found '" + s + "'");
          }
          if (n < min || n > max) {
            throw new IllegalArgumentException(
                "must be between " + min + " and " + max + ", was " + n);
          }
          return n;
        });
  }

  @Override
  public double number(String key, double defaultValue, double minExclusive) {
    return typed(
        key,
        defaultValue,
        s -> {
          double n;
          try {
            n = Double.parseDouble(s);
          } catch (NumberFormatException e) {
            throw new IllegalArgumentException("expected a number, found '" + s + "'");
          }
          if (!(n > minExclusive) || Double.isInfinite(n)) {
            throw new IllegalArgumentException(
                "must be greater than " + minExclusive + ", was " + s);
          }
          return n;
        });
  }

  @Override
  public Duration duration(String key, Duration defaultValue) {
    return typed(
        key,
        defaultValue,
        s -> {
          Duration d = Durations.parse(s);
          if (d.isZero()) {
            throw new IllegalArgumentException("must be longer than zero");
          }
          return d;
        });
  }

  /** A size in bytes written with its unit ({@code 64KiB}), between {@code min} and {@code max}. */
  @Override
  public int size(String key, int defaultValue, int min, int max) {
    return typed(
        key,
        defaultValue,
        s -> {
          long n = Sizes.parse(s);
          if (n < min || n > max) {
            throw new IllegalArgumentException(
                "must be between " + min + "B and " + max + "B, was " + s);
          }
          return (int) n;
        });
  }

  /**
   * The value at {@code key} converted by {@code parse}, or {@code defaultValue} when the key is
   * absent or the value is unusable; {@code parse} throws IllegalArgumentException with the message
   * to record.
   */
  private <T> T typed(String key, T defaultValue, Function<String, T> parse) {
    Optional<Node> v = value(key);
    if (v.isEmpty()) {
      return defaultValue;
    }
    String s = scalar(v.get(), keyPath(key));
    if (s == null) {
      return defaultValue;
    }
    try {
      return parse.apply(s.trim());
    } catch (IllegalArgumentException e) {
      problems.add(v.get(), keyPath(key), e.getMessage());
      return defaultValue;
    }
  }

  /** A list of scalars, each with its node so callers can report a bad element at its line. */
  @Override
  public List<Item> scalarList(String key) {
    List<Item> items = new ArrayList<>();
    List<Node> elements = sequence(key, "a list such as [a, b]");
    for (int i = 0; i < elements.size(); i++) {
      String itemPath = keyPath(key) + "[" + i + "]";
      String s = scalar(elements.get(i), itemPath);
      if (s != null) {
        items.add(new Item(s, itemPath, Problems.lineOf(elements.get(i))));
      }
    }
    return items;
  }

  /**
   * A mapping of names to single values, such as {@code {sub: X-User-Id}}, in file order; the
   * {@link Item}'s path names the key.
   */
  @Override
  public Map<String, Item> scalarMap(String key) {
    return scalarMap(key, null);
  }

  @Override
  public Map<String, Item> templateMap(String key, Predicate<String> kept) {
    return scalarMap(key, Objects.requireNonNull(kept, "kept"));
  }

  private Map<String, Item> scalarMap(String key, Predicate<String> kept) {
    Map<String, Item> items = new LinkedHashMap<>();
    Optional<Node> v = value(key);
    if (v.isEmpty()) {
      return items;
    }
    if (!(v.get() instanceof MappingNode mapping)) {
      problems.add(v.get(), keyPath(key), "expected a mapping, found " + describe(v.get()));
      return items;
    }
    for (NodeTuple t : mapping.getValue()) {
      if (!(t.getKeyNode() instanceof ScalarNode k)) {
        problems.add(t.getKeyNode(), keyPath(key), "keys must be plain names");
        continue;
      }
      String itemPath = keyPath(key) + "." + k.getValue();
      String s = scalar(t.getValueNode(), itemPath, kept);
      if (s != null
          && items.putIfAbsent(k.getValue(), new Item(s, itemPath, Problems.lineOf(k))) != null) {
        problems.add(k, itemPath, "duplicate key");
      }
    }
    return items;
  }

  /**
   * A nested mapping; absent keys give an empty reader, so defaults apply. Asking twice gives the
   * same reader, so the keys asked through either count as known.
   */
  public YamlReader mapping(String key) {
    YamlReader child = mappings.get(key);
    if (child == null) {
      child = new YamlReader(value(key).orElse(null), keyPath(key), problems, interpolator);
      mappings.put(key, child);
    }
    return child;
  }

  @Override
  public ConfigSection section(String key) {
    return mapping(key);
  }

  @Override
  public <E extends Enum<E>> E choice(String key, Class<E> type, E defaultValue) {
    String text = string(key, defaultValue.name()).trim().toUpperCase(java.util.Locale.ROOT);
    List<String> names = new ArrayList<>();
    for (E e : type.getEnumConstants()) {
      if (e.name().equals(text)) {
        return e;
      }
      names.add(e.name().toLowerCase(java.util.Locale.ROOT));
    }
    problem(key, "must be one of " + String.join(", ", names));
    return defaultValue;
  }

  @Override
  public void problem(String key, String message) {
    problems.add(value(key).orElse(node), keyPath(key), message);
  }

  @Override
  public void problem(Item item, String message) {
    problems.add(item.line(), item.path(), message);
  }

  @Override
  public void problem(String message) {
    problems.add(node, path, message);
  }

  @Override
  public int problemCount() {
    return problems.size();
  }

  /** A list of mappings, such as {@code routes:}. */
  public List<YamlReader> mappingList(String key) {
    List<YamlReader> readers = new ArrayList<>();
    List<Node> elements = sequence(key, "a list");
    for (int i = 0; i < elements.size(); i++) {
      readers.add(
          new YamlReader(elements.get(i), keyPath(key) + "[" + i + "]", problems, interpolator));
    }
    listed.addAll(readers);
    return readers;
  }

  /** The elements of the list at {@code key}; none (and a problem) when it is not a list. */
  private List<Node> sequence(String key, String expected) {
    Optional<Node> v = value(key);
    if (v.isEmpty()) {
      return List.of();
    }
    if (!(v.get() instanceof SequenceNode seq)) {
      problems.add(v.get(), keyPath(key), "expected " + expected + ", found " + describe(v.get()));
      return List.of();
    }
    return seq.getValue();
  }

  /**
   * Records a problem for each key of this mapping, and of the mappings read through it, that no
   * one asked for, with a suggestion when the key is a near miss of a known one. Runs once per
   * mapping however often it is called.
   */
  @Override
  public void rejectUnknownKeys() {
    if (checked) {
      return;
    }
    checked = true;
    for (Map.Entry<String, NodeTuple> e : entries.entrySet()) {
      if (!asked.contains(e.getKey())) {
        String hint =
            closest(e.getKey(), asked).map(k -> " (did you mean '" + k + "'?)").orElse("");
        String known = asked.isEmpty() ? "" : "; known keys here: " + String.join(", ", asked);
        problems.add(e.getValue().getKeyNode(), keyPath(e.getKey()), "unknown key" + hint + known);
      }
    }
    mappings.values().forEach(YamlReader::rejectUnknownKeys);
    listed.forEach(YamlReader::rejectUnknownKeys);
  }

  private String scalar(Node n, String keyPath) {
    return scalar(n, keyPath, null);
  }

  private String scalar(Node n, String keyPath, Predicate<String> kept) {
    if (!(n instanceof ScalarNode s)) {
      problems.add(n, keyPath, "expected a single value, found " + describe(n));
      return null;
    }
    try {
      return interpolator.apply(s.getValue(), kept);
    } catch (IllegalArgumentException e) {
      problems.add(n, keyPath, e.getMessage());
      return null;
    }
  }

  private static boolean isNull(Node n) {
    return n instanceof ScalarNode && Tag.NULL.equals(n.getTag());
  }

  private static String describe(Node n) {
    if (n instanceof MappingNode) {
      return "a mapping";
    }
    if (n instanceof SequenceNode) {
      return "a list";
    }
    return "'" + ((ScalarNode) n).getValue() + "'";
  }

  /** The known key within edit distance 2 of {@code key}, if any: catches typos, not guesses. */
  static Optional<String> closest(String key, Set<String> known) {
    String best = null;
    int bestDistance = 3;
    for (String k : known) {
      int d = editDistance(key, k);
      if (d < bestDistance) {
        best = k;
        bestDistance = d;
      }
    }
    return Optional.ofNullable(best);
  }

  private static int editDistance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }
}
