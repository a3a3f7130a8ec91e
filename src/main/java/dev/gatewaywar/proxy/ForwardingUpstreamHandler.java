package dev.gatewaywar.proxy;

import java.nio.ByteBuffer;

/**
 * An {@link UpstreamHandler} that passes every call on to another: a base for handlers that watch
 * an exchange (time it, end a target's call) and override only the calls they watch.
 */
public abstract class ForwardingUpstreamHandler implements UpstreamHandler {
  /** Where every call goes on to. */
  protected final UpstreamHandler next;

  protected ForwardingUpstreamHandler(UpstreamHandler next) {
    this.next = next;
  }

  @Override
  public void onResponse(UpstreamResponse response) {
    next.onResponse(response);
  }

  @Override
  public boolean onBody(ByteBuffer chunk, boolean moreWaiting) {
    return next.onBody(chunk, moreWaiting);
  }

  @Override
  public void onEnd() {
    next.onEnd();
  }

  @Override
  public void onFailure(UpstreamException failure) {
    next.onFailure(failure);
  }
}
