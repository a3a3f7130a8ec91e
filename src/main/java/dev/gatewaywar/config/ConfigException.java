package dev.gatewaywar.config;

import java.util.List;
import java.util.stream.Collectors;

/** A configuration that cannot be used, with every problem found in it (not just the first). */
public final class ConfigException extends Exception {
  private final String source;
  private final List<ConfigProblem> problems;

  public ConfigException(String source, List<ConfigProblem> problems) {
    super(describe(source, problems));
    this.source = source;
    this.problems = List.copyOf(problems);
  }

  public String source() {
    return source;
  }

  public List<ConfigProblem> problems() {
    return problems;
  }

  private static String describe(String source, List<ConfigProblem> problems) {
    return "invalid gateway configuration "
        + source
        + " ("
        + problems.size()
        + (problems.size() == 1 ? " problem" : " problems")
        + "):\n"
        + problems.stream().map(p -> "  " + p).collect(Collectors.joining("\n"));
  }
}
