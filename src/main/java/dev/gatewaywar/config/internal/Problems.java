package dev.gatewaywar.config.internal;

import dev.gatewaywar.config.ConfigProblem;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.yaml.snakeyaml.nodes.Node;

/** Collects every problem in a file so that one run reports them all, as {@code nginx -t} does. */
public final class Problems {
  private final List<ConfigProblem> list = new ArrayList<>();

  /** Values of secret-bearing keys ({@link SecretKeys}): masked in every message. */
  private final Set<String> hidden = new LinkedHashSet<>();

  public void add(Node at, String key, String message) {
    add(lineOf(at), key, message);
  }

  public void add(int line, String key, String message) {
    list.add(new ConfigProblem(line, key, message));
  }

  public int size() {
    return list.size();
  }

  public boolean isEmpty() {
    return list.isEmpty();
  }

  /** The problems, with secrets masked in their messages. */
  public List<ConfigProblem> list() {
    List<ConfigProblem> cleaned = new ArrayList<>(list.size());
    for (ConfigProblem p : list) {
      cleaned.add(new ConfigProblem(p.line(), p.key(), SecretKeys.clean(p.message(), hidden)));
    }
    return cleaned;
  }

  void hide(String value) {
    hidden.add(value);
  }

  /** SnakeYAML counts lines from 0; editors count from 1. */
  public static int lineOf(Node node) {
    return node == null || node.getStartMark() == null ? 0 : node.getStartMark().getLine() + 1;
  }
}
