package dev.gatewaywar.auth;

/**
 * Why a token was refused. Carries no token text and no stack trace: it is an expected outcome on
 * the request path, not a bug, and tokens must never reach a log.
 */
public final class TokenException extends Exception {

  /** The reasons a token is refused; all but {@link #KEYS_UNAVAILABLE} mean 401. */
  public enum Reason {
    MALFORMED("malformed token"),
    OVERSIZED("token too large"),
    BAD_SIGNATURE("bad signature"),
    DISALLOWED_ALGORITHM("algorithm not accepted"),
    UNKNOWN_KEY("unknown signing key"),
    EXPIRED("token expired"),
    NOT_YET_VALID("token not yet valid"),
    WRONG_ISSUER("wrong issuer"),
    WRONG_AUDIENCE("wrong audience"),
    MISSING_CLAIM("required claim missing"),
    WRONG_TOKEN_TYPE("not an access token"),
    INACTIVE("token not active"),
    /** No key could be fetched (JWKS, discovery or introspection unreachable): 503, not 401. */
    KEYS_UNAVAILABLE("keys unavailable");

    private final String description;

    Reason(String description) {
      this.description = description;
    }

    /** A short, fixed text safe for logs and for RFC 6750's {@code error_description}. */
    public String description() {
      return description;
    }
  }

  private final Reason reason;

  public TokenException(Reason reason) {
    this(reason, reason.description());
  }

  /** {@code detail} must not contain the token or a secret: it may be logged at debug level. */
  public TokenException(Reason reason, String detail) {
    super(detail, null, false, false);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
