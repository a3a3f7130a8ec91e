package dev.gatewaywar.headers;

import dev.gatewaywar.api.Claims;
import dev.gatewaywar.api.RequestId;
import dev.gatewaywar.clientaddress.ClientAddress;
import dev.gatewaywar.routing.RouteMatch;
import jakarta.servlet.http.HttpServletRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A header value as configured: text with request variables ({@code ${client_ip}}, {@code
 * ${request_id}}, {@code ${param.NAME}}, {@code ${claim.NAME}}), parsed once when the configuration
 * is loaded and resolved per request by concatenation. {@code $${} writes a literal {@code ${}. A
 * variable without a value (no such claim) resolves to nothing; characters a header value cannot
 * carry (control characters, anything beyond Latin-1) are dropped from a variable's value, so a
 * claim or a decoded path parameter cannot split or corrupt a header.
 */
public final class HeaderTemplate {
  /** What a variable reads. */
  public enum Kind {
    CLIENT_IP,
    REQUEST_ID,
    PARAM,
    CLAIM
  }

  private record Variable(Kind kind, String name) {}

  private static final String KNOWN = "${client_ip}, ${request_id}, ${param.NAME}, ${claim.NAME}";

  private final String text;

  /** One more than {@link #variables}: the text before, between and after them. */
  private final String[] literals;

  private final Variable[] variables;

  private HeaderTemplate(String text, List<String> literals, List<Variable> variables) {
    this.text = text;
    this.literals = literals.toArray(String[]::new);
    this.variables = variables.toArray(Variable[]::new);
  }

  /**
   * True for a {@code ${...}} reference that names a request variable rather than an environment
   * variable: one starting with a lower-case letter (environment variables are upper case).
   */
  public static boolean isRequestVariable(String reference) {
    return !reference.isEmpty() && reference.charAt(0) >= 'a' && reference.charAt(0) <= 'z';
  }

  /**
   * Parses {@code text} (environment references already resolved).
   *
   * @throws IllegalArgumentException naming an unknown variable or a character no header may hold
   */
  public static HeaderTemplate parse(String text) {
    List<String> literals = new ArrayList<>();
    List<Variable> variables = new ArrayList<>();
    StringBuilder literal = new StringBuilder();
    int i = 0;
    while (i < text.length()) {
      if (text.startsWith("$${", i)) {
        literal.append("${");
        i += 3;
      } else if (text.startsWith("${", i)) {
        int end = text.indexOf('}', i + 2);
        if (end < 0) {
          throw new IllegalArgumentException("unclosed '${' in header value");
        }
        variables.add(variable(text.substring(i + 2, end)));
        literals.add(literal.toString());
        literal.setLength(0);
        i = end + 1;
      } else {
        char c = text.charAt(i++);
        if (!allowed(c)) {
          throw new IllegalArgumentException(
              "a header value may not hold the character U+" + String.format("%04X", (int) c));
        }
        literal.append(c);
      }
    }
    literals.add(literal.toString());
    return new HeaderTemplate(text, literals, variables);
  }

  private static Variable variable(String reference) {
    switch (reference) {
      case "client_ip":
        return new Variable(Kind.CLIENT_IP, null);
      case "request_id":
        return new Variable(Kind.REQUEST_ID, null);
      default:
        break;
    }
    if (reference.startsWith("param.") && isName(reference.substring(6), false)) {
      return new Variable(Kind.PARAM, reference.substring(6));
    }
    if (reference.startsWith("claim.") && isName(reference.substring(6), true)) {
      return new Variable(Kind.CLAIM, reference.substring(6));
    }
    throw new IllegalArgumentException(
        "unknown variable '${" + reference + "}' (known: " + KNOWN + ")");
  }

  /** A path parameter's name, or a claim's (dots reach into objects, as in {@code Claims}). */
  private static boolean isName(String s, boolean claim) {
    if (s.isEmpty()) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean ok =
          c >= 'a' && c <= 'z'
              || c >= 'A' && c <= 'Z'
              || c >= '0' && c <= '9'
              || c == '_'
              || claim && (c == '.' || c == '-' || c == ':');
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  /** A character an HTTP field value may carry (RFC 9110 section 5.5), within Latin-1. */
  private static boolean allowed(char c) {
    return c == '\t' || c >= 0x20 && c != 0x7f && c <= 0xff;
  }

  /** True when some variable is of {@code kind}. */
  public boolean uses(Kind kind) {
    for (Variable v : variables) {
      if (v.kind() == kind) {
        return true;
      }
    }
    return false;
  }

  /** The path parameters named. */
  public List<String> params() {
    List<String> names = new ArrayList<>();
    for (Variable v : variables) {
      if (v.kind() == Kind.PARAM) {
        names.add(v.name());
      }
    }
    return names;
  }

  /** The value for {@code request}. */
  public String resolve(HttpServletRequest request) {
    if (variables.length == 0) {
      return literals[0];
    }
    StringBuilder out = new StringBuilder(64);
    for (int i = 0; i < variables.length; i++) {
      out.append(literals[i]);
      value(variables[i], request).ifPresent(v -> appendClean(out, v));
    }
    return out.append(literals[variables.length]).toString();
  }

  private static Optional<String> value(Variable v, HttpServletRequest request) {
    return switch (v.kind()) {
      case CLIENT_IP -> Optional.of(ClientAddress.of(request).value());
      case REQUEST_ID -> RequestId.from(request).map(RequestId::value);
      case PARAM -> RouteMatch.from(request).flatMap(m -> m.param(v.name()));
      case CLAIM -> Claims.from(request).flatMap(c -> c.string(v.name()));
    };
  }

  private static void appendClean(StringBuilder out, String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (allowed(c)) {
        out.append(c);
      }
    }
  }

  /** The value as written in the configuration. */
  @Override
  public String toString() {
    return text;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof HeaderTemplate t && t.text.equals(text);
  }

  @Override
  public int hashCode() {
    return text.hashCode();
  }
}
