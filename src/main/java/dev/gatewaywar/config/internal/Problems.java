package dev.gatewaywar.config.internal;

import dev.gatewaywar.config.ConfigProblem;
import java.util.ArrayList;
import java.util.List;
import org.yaml.snakeyaml.nodes.Node;

/** Collects every problem in a file so that one run reports them all, as {@code nginx -t} does. */
public final class Problems {
  private final List<ConfigProblem> list = new ArrayList<>();

  public void add(Node at, String key, String message) {
    add(lineOf(at), key, message);
  }

  public void add(int line, String key, String message) {
    list.add(new ConfigProblem(line, key, message));
  }

  public boolean isEmpty() {
    return list.isEmpty();
  }

  public List<ConfigProblem> list() {
    return List.copyOf(list);
  }

  /** SnakeYAML counts lines from 0; editors count from 1. */
  public static int lineOf(Node node) {
    return node == null || node.getStartMark() == null ? 0 : node.getStartMark().getLine() + 1;
  }
}
