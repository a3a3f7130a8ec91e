package dev.gatewaywar.proxy;

import dev.gatewaywar.config.GatewayConfig;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The request headers the gateway itself writes on the way upstream ({@code X-Forwarded-*} and the
 * claim headers of every route's {@code forward_claims}), and so the client headers that must not
 * reach the upstream: a client copy of an owned name, or of one that CGI and WSGI upstreams read as
 * the same variable ({@code X_User_Id} and {@code x-user-id} are both {@code HTTP_X_USER_ID}), and,
 * unless {@code server.underscores_in_headers} is true, every name with an underscore (nginx's
 * {@code underscores_in_headers off}).
 *
 * <p>Built once per configuration and reached through each {@link ProxyRoute}. The claim headers
 * any route forwards are owned on every route: an upstream that trusts {@code X-User-Id} from its
 * {@code auth} route is often reached through an open route too, and must not get a client's {@code
 * X-User-Id} there.
 */
public final class OwnedHeaders {
  /**
   * Written by the proxy (the prefix only on {@code strip_prefix} routes); the client's values are
   * never passed through.
   */
  public static final List<String> FORWARDED =
      List.of("X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host", "X-Forwarded-Prefix");

  /**
   * Lower-case with {@code -} for {@code _}. An array scanned without allocating: this runs for
   * every header of every request.
   */
  private final String[] folded;

  private final boolean underscoresAllowed;

  private OwnedHeaders(Set<String> folded, boolean underscoresAllowed) {
    this.folded = folded.toArray(String[]::new);
    this.underscoresAllowed = underscoresAllowed;
  }

  /**
   * @param gatewaySet the names of the headers the gateway sets besides {@link #FORWARDED}
   * @param underscoresAllowed {@code server.underscores_in_headers}
   */
  public static OwnedHeaders of(Iterable<String> gatewaySet, boolean underscoresAllowed) {
    Set<String> names = new LinkedHashSet<>();
    for (String n : FORWARDED) {
      names.add(fold(n));
    }
    for (String n : gatewaySet) {
      names.add(fold(n));
    }
    return new OwnedHeaders(names, underscoresAllowed);
  }

  /**
   * The names a configuration owns: {@link #FORWARDED} and the headers any route's middleware
   * writes for the upstream (claim headers...).
   */
  public static OwnedHeaders of(GatewayConfig config) {
    return of(config.upstreamHeaders(), config.server().underscoresInHeaders());
  }

  /** Whether a client's header of this name is dropped instead of forwarded. */
  public boolean dropsClientHeader(String name) {
    if (!underscoresAllowed && name.indexOf('_') >= 0) {
      return true;
    }
    for (String owned : folded) {
      if (sameFolded(owned, name)) {
        return true;
      }
    }
    return false;
  }

  private static String fold(String name) {
    return name.replace('_', '-').toLowerCase(Locale.ROOT);
  }

  /**
   * {@code folded} equals {@code name} ignoring case, with {@code _} in name taken as {@code -}.
   */
  private static boolean sameFolded(String folded, String name) {
    if (folded.length() != name.length()) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c == '_') {
        c = '-';
      } else if (c >= 'A' && c <= 'Z') {
        c = (char) (c + ('a' - 'A'));
      }
      if (c != folded.charAt(i)) {
        return false;
      }
    }
    return true;
  }
}
