package dev.gatewaywar.api;

import jakarta.servlet.ServletRequest;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The verified claims of the request's token, for any filter after {@code auth} (built-in or
 * custom): {@code Claims.from(request)}. The Java counterpart of the Go original's {@code
 * ClaimsFromContext}. Immutable.
 */
public final class Claims {
  private static final String ATTRIBUTE = Claims.class.getName();

  private final Map<String, Object> values;

  /** {@code values} as parsed from the token's JSON: strings, numbers, booleans, lists, maps. */
  public Claims(Map<String, Object> values) {
    this.values = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(values));
  }

  /** The claims of {@code request}; present once the {@code auth} filter has accepted its token. */
  public static Optional<Claims> from(ServletRequest request) {
    return Optional.ofNullable((Claims) request.getAttribute(ATTRIBUTE));
  }

  /** Attaches these claims to {@code request}; called by the auth filter only. */
  public void attachTo(ServletRequest request) {
    request.setAttribute(ATTRIBUTE, this);
  }

  public Optional<String> subject() {
    return string("sub");
  }

  public Optional<String> issuer() {
    return string("iss");
  }

  /** {@code aud}, which RFC 7519 allows as one string or a list. */
  public List<String> audience() {
    return strings(values.get("aud"));
  }

  /** Every claim, as parsed. */
  public Map<String, Object> asMap() {
    return values;
  }

  /**
   * The claim at {@code path}; a dotted path reaches into objects ({@code realm_access.roles}). A
   * claim whose own name contains the dot wins over the nested one.
   */
  public Optional<Object> get(String path) {
    if (values.containsKey(path)) {
      return Optional.ofNullable(values.get(path));
    }
    Object at = values;
    for (String part : path.split("\\.", -1)) {
      if (!(at instanceof Map<?, ?> m)) {
        return Optional.empty();
      }
      at = m.get(part);
    }
    return Optional.ofNullable(at);
  }

  /**
   * The claim at {@code path} as text: a string as is, a number or boolean as written, a list of
   * such values joined with {@code ","}; empty for objects and absent claims.
   */
  public Optional<String> string(String path) {
    Optional<Object> v = get(path);
    if (v.isEmpty() || v.get() instanceof Map) {
      return Optional.empty();
    }
    if (v.get() instanceof Collection<?> c) {
      List<String> s = strings(c);
      return s.size() == c.size() ? Optional.of(String.join(",", s)) : Optional.empty();
    }
    return Optional.of(String.valueOf(v.get()));
  }

  /**
   * Roles the token grants: Keycloak's realm roles ({@code realm_access.roles}), the roles of
   * {@code client} in {@code resource_access}, and a top-level {@code roles} list.
   */
  public Set<String> roles(Optional<String> client) {
    Set<String> roles = new LinkedHashSet<>();
    get("realm_access").ifPresent(r -> roles.addAll(strings(field(r, "roles"))));
    client.ifPresent(
        c ->
            get("resource_access")
                .ifPresent(r -> roles.addAll(strings(field(field(r, c), "roles")))));
    get("roles").ifPresent(r -> roles.addAll(strings(r)));
    return roles;
  }

  private static Object field(Object map, String name) {
    return map instanceof Map<?, ?> m ? m.get(name) : null;
  }

  private static List<String> strings(Object value) {
    if (value instanceof String s) {
      return List.of(s);
    }
    if (!(value instanceof Collection<?> c)) {
      return List.of();
    }
    return c.stream()
        .filter(e -> e instanceof String || e instanceof Number || e instanceof Boolean)
        .map(String::valueOf)
        .toList();
  }

  /** Claim names only: values may be personal data. */
  @Override
  public String toString() {
    return "Claims" + values.keySet();
  }
}
