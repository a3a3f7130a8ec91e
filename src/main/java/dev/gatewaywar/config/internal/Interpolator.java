package dev.gatewaywar.config.internal;

import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * Replaces {@code ${NAME}} and {@code ${NAME:-default}} in scalar values with variables from the
 * environment, so secrets need not sit in the file; {@code $${} stands for a literal {@code ${}.
 */
final class Interpolator {
  private final UnaryOperator<String> variables;

  Interpolator(UnaryOperator<String> variables) {
    this.variables = variables;
  }

  /**
   * Returns {@code text} with every reference replaced.
   *
   * @throws IllegalArgumentException naming the variable that is unset and has no default, or
   *     describing a malformed reference
   */
  String apply(String text) {
    return apply(text, null);
  }

  /**
   * Returns {@code text} with every reference replaced but those whose name {@code kept} accepts:
   * they, and every {@code $${}, stay as written, for a caller that resolves them later (a
   * middleware's per-request template); it unescapes {@code $${} itself.
   *
   * @param kept null for plain values (every reference resolved, {@code $${} unescaped)
   * @throws IllegalArgumentException as {@link #apply(String)}
   */
  String apply(String text, Predicate<String> kept) {
    if (text.indexOf('$') < 0) {
      return text;
    }
    StringBuilder out = new StringBuilder(text.length());
    int i = 0;
    while (i < text.length()) {
      char c = text.charAt(i);
      if (c == '$' && text.startsWith("$${", i)) {
        out.append(kept == null ? "${" : "$${");
        i += 3;
      } else if (c == '$' && text.startsWith("${", i)) {
        int end = text.indexOf('}', i + 2);
        if (end < 0) {
          throw new IllegalArgumentException("unclosed '${' in value");
        }
        String reference = text.substring(i + 2, end);
        boolean keep = kept != null && kept.test(reference);
        out.append(keep ? text.substring(i, end + 1) : resolve(reference));
        i = end + 1;
      } else {
        out.append(c);
        i++;
      }
    }
    return out.toString();
  }

  private String resolve(String reference) {
    int sep = reference.indexOf(":-");
    String name = sep < 0 ? reference : reference.substring(0, sep);
    if (!name.matches("[A-Za-z_][A-Za-z0-9_.]*")) {
      throw new IllegalArgumentException(
          "'${" + reference + "}' is not a valid variable reference");
    }
    String value = variables.apply(name);
    if (value != null) {
      return value;
    }
    if (sep >= 0) {
      return reference.substring(sep + 2);
    }
    throw new IllegalArgumentException(
        "environment variable "
            + name
            + " is not set (give a default with ${"
            + name
            + ":-value})");
  }
}
