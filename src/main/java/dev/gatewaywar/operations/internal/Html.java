package dev.gatewaywar.operations.internal;

/**
 * HTML escaping of text and attribute values: the five characters that can end a text or a quoted
 * attribute. No dependency of the gateway offers an escaper, and these five are the whole rule for
 * values placed in element text and double-quoted attributes (OWASP's XSS prevention rule 1 and 2).
 */
final class Html {
  private Html() {}

  static String escape(String text) {
    StringBuilder out = null;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      String replacement =
          switch (c) {
            case '&' -> "&amp;";
            case '<' -> "&lt;";
            case '>' -> "&gt;";
            case '"' -> "&quot;";
            case '\'' -> "&#39;";
            default -> null;
          };
      if (replacement != null && out == null) {
        out = new StringBuilder(text.length() + 16).append(text, 0, i);
      }
      if (out != null) {
        if (replacement != null) {
          out.append(replacement);
        } else {
          out.append(c);
        }
      }
    }
    return out == null ? text : out.toString();
  }
}
