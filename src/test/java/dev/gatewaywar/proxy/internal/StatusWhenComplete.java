package dev.gatewaywar.proxy.internal;

import dev.gatewaywar.proxy.UpstreamException;
import dev.gatewaywar.proxy.UpstreamHandler;
import dev.gatewaywar.proxy.UpstreamResponse;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;

/** A handler that reads a whole answer and completes with its status, or with the failure. */
final class StatusWhenComplete implements UpstreamHandler {
  final CompletableFuture<Integer> result = new CompletableFuture<>();
  private int status;

  @Override
  public void onResponse(UpstreamResponse response) {
    status = response.status();
  }

  @Override
  public boolean onBody(ByteBuffer chunk, boolean moreWaiting) {
    chunk.position(chunk.limit());
    return true;
  }

  @Override
  public void onEnd() {
    result.complete(status);
  }

  @Override
  public void onFailure(UpstreamException failure) {
    result.completeExceptionally(failure);
  }
}
