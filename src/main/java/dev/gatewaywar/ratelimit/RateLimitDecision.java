package dev.gatewaywar.ratelimit;

/**
 * The answer for one request: let it through or not, and what the client is told about its bucket.
 *
 * @param outcome allowed, limited, or not known because the shared backend could not be asked
 * @param limit the bucket's capacity ({@code burst})
 * @param remaining tokens left after this request
 * @param nanosUntilFull until the bucket is full again ({@code RateLimit-Reset})
 * @param nanosUntilNextToken for a limited request, until one token is back ({@code Retry-After})
 */
public record RateLimitDecision(
    Outcome outcome, long limit, long remaining, long nanosUntilFull, long nanosUntilNextToken) {

  public enum Outcome {
    ALLOWED,
    LIMITED,
    BACKEND_UNAVAILABLE
  }

  private static final RateLimitDecision BACKEND_UNAVAILABLE =
      new RateLimitDecision(Outcome.BACKEND_UNAVAILABLE, 0, 0, 0, 0);

  public static RateLimitDecision backendUnavailable() {
    return BACKEND_UNAVAILABLE;
  }

  public boolean allowed() {
    return outcome == Outcome.ALLOWED;
  }

  /** Whole seconds, rounded up: a client that waits that long finds what it was told. */
  static long seconds(long nanos) {
    return nanos <= 0 ? 0 : (nanos + 999_999_999L) / 1_000_000_000L;
  }
}
