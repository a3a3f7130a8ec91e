package dev.gatewaywar.config;

/**
 * One thing wrong with a configuration file: where it is (line, and the key's path such as {@code
 * routes[2].middleware[0]}) and what is wrong.
 *
 * @param line 1-based line in the file, or 0 when the problem has no single place
 * @param key the dotted key path, or empty for the document itself
 * @param message what is wrong, written for the person who edits the file
 */
public record ConfigProblem(int line, String key, String message) {

  @Override
  public String toString() {
    String where = line > 0 ? "line " + line + ": " : "";
    String what = key.isEmpty() ? "" : key + ": ";
    return where + what + message;
  }
}
