package dev.gatewaywar.proxy.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.gatewaywar.proxy.UpstreamException;
import dev.gatewaywar.proxy.UpstreamHandler;
import dev.gatewaywar.proxy.UpstreamResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.Consumer;
import org.apache.hc.core5.http.nio.CapacityChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The body's flow control between HttpClient's read capacity and the proxy's handler: every pause
 * the handler asks for must end in capacity granted again, whatever order the two sides act in (a
 * lost grant stalls a download until the read timeout).
 */
class ExchangeTest {
  private final PoolHousekeeping housekeeping =
      new PoolHousekeeping(() -> {}, 60_000, new UpstreamThreads("gateway-upstream-io-"));
  private final Answers handler = new Answers();
  private final Exchange exchange =
      new Exchange(handler, null, housekeeping, Long.MAX_VALUE, () -> {});
  private final Grants capacity = new Grants();

  @AfterEach
  void stop() {
    housekeeping.close();
  }

  @Test
  void aPausedBodyGetsCapacityOnlyOnceResumed() throws Exception {
    handler.next(false);
    exchange.consume(chunk("one"));
    exchange.updateCapacity(capacity);
    assertEquals(List.of(), capacity.granted, "paused: no more reading");

    exchange.resume();

    assertEquals(List.of(Exchange.BODY_WINDOW), capacity.granted);
  }

  @Test
  void aLaterPieceTheHandlerTakesEndsThePause() throws Exception {
    // the handler paused on one piece, then took the next (its client caught up in between): the
    // capacity held back meanwhile must be granted, no resume() will come for that pause
    handler.next(false);
    exchange.consume(chunk("one"));
    exchange.updateCapacity(capacity);
    handler.next(true);
    exchange.consume(chunk("two"));

    assertEquals(List.of(Exchange.BODY_WINDOW), capacity.granted);
  }

  @Test
  void aResumeDuringTheHandlersCallIsNotLost() throws Exception {
    handler.next(false, response -> response.resume());
    exchange.consume(chunk("one"));
    exchange.updateCapacity(capacity);

    assertEquals(List.of(Exchange.BODY_WINDOW), capacity.granted);
  }

  @Test
  void capacityFlowsWhileTheHandlerTakesEverything() throws Exception {
    handler.next(true);
    exchange.consume(chunk("one"));
    exchange.updateCapacity(capacity);
    handler.next(true);
    exchange.consume(chunk("two"));
    exchange.updateCapacity(capacity);

    assertEquals(List.of(Exchange.BODY_WINDOW, Exchange.BODY_WINDOW), capacity.granted);
    assertEquals(List.of("one", "two"), handler.pieces);
  }

  private static ByteBuffer chunk(String text) {
    return ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII));
  }

  /** A handler answering onBody as told, optionally acting on the exchange during the call. */
  private final class Answers implements UpstreamHandler {
    private final Deque<Boolean> answers = new ArrayDeque<>();
    private final Deque<Consumer<UpstreamResponse>> actions = new ArrayDeque<>();
    final List<String> pieces = new ArrayList<>();

    void next(boolean more) {
      next(more, response -> {});
    }

    void next(boolean more, Consumer<UpstreamResponse> during) {
      answers.add(more);
      actions.add(during);
    }

    @Override
    public void onResponse(UpstreamResponse response) {}

    @Override
    public boolean onBody(ByteBuffer piece, boolean moreWaiting) {
      byte[] bytes = new byte[piece.remaining()];
      piece.get(bytes);
      pieces.add(new String(bytes, StandardCharsets.US_ASCII));
      actions.remove().accept(exchange);
      return answers.remove();
    }

    @Override
    public void onEnd() {}

    @Override
    public void onFailure(UpstreamException failure) {}
  }

  /** Records the read capacity granted to HttpClient. */
  private static final class Grants implements CapacityChannel {
    final List<Integer> granted = new ArrayList<>();

    @Override
    public void update(int increment) {
      granted.add(increment);
    }
  }
}
