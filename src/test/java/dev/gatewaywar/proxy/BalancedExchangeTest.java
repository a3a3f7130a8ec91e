package dev.gatewaywar.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.gatewaywar.config.RouteConfig;
import dev.gatewaywar.config.TimeoutsConfig;
import dev.gatewaywar.config.UpstreamSet;
import dev.gatewaywar.routing.PathPattern;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The steps between the upstream client and the relay for a route with several targets, driven call
 * by call: which failures move a request, and that every call ends on its target.
 */
class BalancedExchangeTest {
  private final List<UpstreamRequest> sent = new ArrayList<>();
  private final List<UpstreamHandler> handlers = new ArrayList<>();
  private final List<String> relayed = new ArrayList<>();

  /** Records what is sent; the test plays the upstream's part. */
  private final UpstreamClient client =
      new UpstreamClient() {
        @Override
        public RouteSettings settingsFor(
            TimeoutsConfig timeouts, Optional<dev.gatewaywar.config.RouteTls> tls) {
          return new RouteSettings() {};
        }

        @Override
        public void send(UpstreamRequest request, UpstreamHandler handler) {
          sent.add(request);
          handlers.add(handler);
        }

        @Override
        public void close() {}
      };

  private final UpstreamHandler relay =
      new UpstreamHandler() {
        @Override
        public void onResponse(UpstreamResponse response) {
          relayed.add("response " + response.status());
        }

        @Override
        public boolean onBody(ByteBuffer chunk, boolean moreWaiting) {
          return true;
        }

        @Override
        public void onEnd() {
          relayed.add("end");
        }

        @Override
        public void onFailure(UpstreamException failure) {
          relayed.add("failure " + failure.failure());
        }
      };

  private final UpstreamTargets targets =
      new TargetMonitor(client, Clock.systemUTC())
          .open(
              new RouteConfig(
                  PathPattern.parse("/api/*"),
                  Set.of(),
                  new UpstreamSet(
                      List.of(
                          new UpstreamSet.Target(URI.create("http://a:1/base"), 1),
                          new UpstreamSet.Target(URI.create("http://b:2"), 1)),
                      UpstreamSet.Balance.LEAST_REQUESTS,
                      Optional.empty(),
                      Optional.empty()),
                  List.of(),
                  Optional.empty(),
                  false,
                  Map.of(),
                  Optional.empty(),
                  dev.gatewaywar.routing.PathRewrite.NONE,
                  1));
  private final UpstreamTarget a = targets.targets().get(0);
  private final UpstreamTarget b = targets.targets().get(1);

  private BalancedExchange send(UpstreamTarget first, RequestBody body) {
    BalancedExchange exchange = new BalancedExchange(targets, client, relay);
    UpstreamTarget taken = targets.choose("c", ~first.bit());
    assertSame(first, taken);
    exchange.send(
        taken,
        new UpstreamRequest(
            "GET",
            URI.create(first.base() + "/x/y?q=1"),
            List.of(),
            body,
            "c",
            client.settingsFor(TimeoutsConfig.DEFAULT)));
    return exchange;
  }

  private static UpstreamException failure(UpstreamFailure kind) {
    return new UpstreamException(kind, new IOException(kind.name()));
  }

  @Test
  void aRefusedConnectionMovesTheRequestToTheOtherTargetWithTheSamePathAndQuery() {
    BalancedExchange exchange = send(a, null);
    handlers.get(0).onFailure(failure(UpstreamFailure.UNREACHABLE));
    assertEquals(2, sent.size());
    assertEquals(URI.create("http://b:2/x/y?q=1"), sent.get(1).uri());
    assertEquals(2, exchange.attempts());
    assertEquals("http://b:2", exchange.upstream());
    assertEquals(List.of(), relayed, "nothing reached the client yet");
    assertEquals(0, a.inFlight());
    assertEquals(1, b.inFlight());
  }

  @Test
  void everyTargetRefusingEndsInTheFailure() {
    send(a, null);
    handlers.get(0).onFailure(failure(UpstreamFailure.CONNECT_TIMEOUT));
    handlers.get(1).onFailure(failure(UpstreamFailure.UNREACHABLE));
    assertEquals(2, sent.size(), "each target tried once");
    assertEquals(List.of("failure UNREACHABLE"), relayed);
    assertEquals(0, a.inFlight() + b.inFlight());
  }

  @Test
  void aReadTimeoutIsNotMoved() {
    send(a, null);
    handlers.get(0).onFailure(failure(UpstreamFailure.READ_TIMEOUT));
    assertEquals(1, sent.size());
    assertEquals(List.of("failure READ_TIMEOUT"), relayed);
  }

  @Test
  void aRequestWithABodyIsNotMoved() {
    RequestBody body =
        new RequestBody() {
          @Override
          public long length() {
            return 5;
          }

          @Override
          public void start(Runnable ready) {}

          @Override
          public int available() {
            return 0;
          }

          @Override
          public boolean sendTo(Sink out) {
            return false;
          }

          @Override
          public IOException failure() {
            return null;
          }

          @Override
          public void discard() {}
        };
    send(a, body);
    handlers.get(0).onFailure(failure(UpstreamFailure.UNREACHABLE));
    assertEquals(1, sent.size());
    assertEquals(List.of("failure UNREACHABLE"), relayed);
  }

  @Test
  void anAnswerAbortedByTheRelayStillEndsItsCall() {
    BalancedExchange exchange = send(a, null);
    assertEquals(1, a.inFlight());
    List<String> aborted = new ArrayList<>();
    handlers.get(0).onResponse(response(200, aborted));
    assertEquals(List.of("response 200"), relayed);
    exchange.abort(); // the relay, when its client went away
    exchange.abort();
    assertEquals(List.of("aborted", "aborted"), aborted);
    assertEquals(0, a.inFlight(), "once, though aborted twice");
  }

  @Test
  void anAnswerEndsItsCallOnce() {
    send(a, null);
    handlers.get(0).onResponse(response(204, new ArrayList<>()));
    handlers.get(0).onEnd();
    assertEquals(List.of("response 204", "end"), relayed);
    assertEquals(0, a.inFlight());
  }

  private static UpstreamResponse response(int status, List<String> aborted) {
    return new UpstreamResponse() {
      @Override
      public int status() {
        return status;
      }

      @Override
      public List<Map.Entry<String, String>> headers() {
        return List.of();
      }

      @Override
      public long contentLength() {
        return 0;
      }

      @Override
      public void resume() {}

      @Override
      public void abort() {
        aborted.add("aborted");
      }
    };
  }
}
