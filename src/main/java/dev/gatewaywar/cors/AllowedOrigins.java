package dev.gatewaywar.cors;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The origins a {@code cors} route allows, compiled at load: a set of exact origins, a list of
 * wildcard patterns ({@code https://*.example.com}: any non-empty host in front of {@code
 * .example.com}, same scheme and port) and {@code *}. Matching does no regular expression and, for
 * the lower-case origins browsers send (RFC 6454 section 6.1), allocates nothing.
 */
public final class AllowedOrigins {
  static final AllowedOrigins NONE = new AllowedOrigins(List.of(), Set.of(), List.of(), false);

  private final List<String> written;
  private final Set<String> exact;
  private final List<Wildcard> wildcards;
  private final boolean any;

  /** {@code scheme://} and {@code .rest.of.host[:port]} around one leading {@code *} label. */
  private record Wildcard(String prefix, String suffix) {
    boolean matches(String origin) {
      int hostEnd = origin.length() - suffix.length();
      if (hostEnd <= prefix.length() || !origin.startsWith(prefix) || !origin.endsWith(suffix)) {
        return false;
      }
      for (int i = prefix.length(); i < hostEnd; i++) {
        char c = origin.charAt(i);
        if (!(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.')) {
          return false; // a port, user info or path is not a host label
        }
      }
      return true;
    }
  }

  private AllowedOrigins(
      List<String> written, Set<String> exact, List<Wildcard> wildcards, boolean any) {
    this.written = written;
    this.exact = exact;
    this.wildcards = wildcards;
    this.any = any;
  }

  /**
   * Compiles the origins as written in the file.
   *
   * @throws IllegalArgumentException naming the first entry that is not {@code *} or {@code
   *     scheme://host[:port]} (with at most a leading {@code *.} in the host)
   */
  public static AllowedOrigins of(List<String> origins) {
    Set<String> exact = new HashSet<>();
    List<Wildcard> wildcards = new ArrayList<>();
    boolean any = false;
    for (String o : origins) {
      String origin = o.trim().toLowerCase(Locale.ROOT);
      if (origin.equals("*")) {
        any = true;
        continue;
      }
      int sep = origin.indexOf("://");
      if (sep <= 0 || !origin.substring(0, sep).matches("[a-z][a-z0-9+.-]*")) {
        throw new IllegalArgumentException(
            "'" + o + "' is not an origin (scheme://host[:port]) nor '*'");
      }
      String authority = origin.substring(sep + 3);
      boolean wildcard = authority.startsWith("*.");
      String host = wildcard ? authority.substring(2) : authority;
      if (!host.matches("[a-z0-9.-]+(:[0-9]{1,5})?|\\[[0-9a-f:.]+\\](:[0-9]{1,5})?")
          || host.startsWith(".")
          || host.endsWith(".")) {
        throw new IllegalArgumentException(
            "'" + o + "' is not an origin: scheme://host[:port], no path, at most a leading '*.'");
      }
      if (wildcard) {
        wildcards.add(new Wildcard(origin.substring(0, sep + 3), authority.substring(1)));
      } else {
        exact.add(origin);
      }
    }
    return new AllowedOrigins(List.copyOf(origins), Set.copyOf(exact), List.copyOf(wildcards), any);
  }

  /** True when the file allows every origin ({@code *}). */
  public boolean any() {
    return any;
  }

  /** True when no origin is allowed. */
  public boolean isEmpty() {
    return !any && exact.isEmpty() && wildcards.isEmpty();
  }

  /** True when a browser's {@code Origin} header value is allowed. */
  public boolean allows(String origin) {
    if (any) {
      return true;
    }
    // String.toLowerCase returns the same string when there is nothing to change
    String o = origin.toLowerCase(Locale.ROOT);
    if (exact.contains(o)) {
      return true;
    }
    for (Wildcard w : wildcards) {
      if (w.matches(o)) {
        return true;
      }
    }
    return false;
  }

  /** The origins as written in the file. */
  public List<String> written() {
    return written;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof AllowedOrigins a && a.written.equals(written);
  }

  @Override
  public int hashCode() {
    return written.hashCode();
  }

  @Override
  public String toString() {
    return written.toString();
  }
}
