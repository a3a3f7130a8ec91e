package dev.gatewaywar.proxy;

/** An upstream exchange that failed, classified so the proxy can answer 502 or 504. */
public final class UpstreamException extends Exception {
  private final UpstreamFailure failure;

  public UpstreamException(UpstreamFailure failure, Throwable cause) {
    super(failure + ": " + cause, cause);
    this.failure = failure;
  }

  public UpstreamFailure failure() {
    return failure;
  }
}
