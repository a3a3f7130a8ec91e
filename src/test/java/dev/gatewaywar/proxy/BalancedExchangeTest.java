package dev.gatewaywar.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatewaywar.config.RouteConfig;
import dev.gatewaywar.config.TimeoutsConfig;
import dev.gatewaywar.config.UpstreamSet;
import dev.gatewaywar.config.UpstreamSet.Retry;
import dev.gatewaywar.routing.PathPattern;
import dev.gatewaywar.routing.PathRewrite;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The steps between the upstream client and the relay for a route with several targets (or a
 * retry), driven call by call with the webapp's real retry thread: which failures move a request,
 * that every call ends on its target, that an answer tried again never reaches the relay, the
 * target of a retry, and a request ending during its backoff.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class BalancedExchangeTest {
  private final List<UpstreamRequest> sent = new CopyOnWriteArrayList<>();
  private final List<UpstreamHandler> handlers = new CopyOnWriteArrayList<>();
  private final List<String> relayed = new CopyOnWriteArrayList<>();
  private final List<String> counted = new CopyOnWriteArrayList<>();
  private final Retries retries = new Retries(1024, counted::add);

  @AfterEach
  void closeRetries() {
    retries.close();
  }

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

  private UpstreamTargets targets(Retry retry, String... urls) {
    List<UpstreamSet.Target> list =
        java.util.Arrays.stream(urls).map(u -> new UpstreamSet.Target(URI.create(u), 1)).toList();
    return new TargetMonitor(client, Clock.systemUTC())
        .open(
            new RouteConfig(
                PathPattern.parse("/api/*"),
                Set.of(),
                new UpstreamSet(
                    list,
                    UpstreamSet.Balance.ROUND_ROBIN,
                    Optional.empty(),
                    Optional.empty(),
                    Optional.of(retry)),
                List.of(),
                Optional.empty(),
                false,
                Map.of(),
                Optional.empty(),
                PathRewrite.NONE,
                1));
  }

  private static Retry retry(int attempts, Duration backoff, Retry.When... when) {
    return new Retry(attempts, Set.of(when), Retry.DEFAULT_METHODS, 1024, backoff);
  }

  private BalancedExchange retrying(UpstreamTargets targets, String method) {
    BalancedExchange exchange = new BalancedExchange(targets, client, relay, retries, method, null);
    UpstreamTarget first = targets.choose("c", 0);
    exchange.send(
        first,
        new UpstreamRequest(
            method,
            URI.create(first.base() + "/x?q=1"),
            List.of(),
            null,
            "c",
            client.settingsFor(TimeoutsConfig.DEFAULT)));
    return exchange;
  }

  private void awaitSent(int n) throws InterruptedException {
    while (sent.size() < n) {
      Thread.sleep(5);
    }
  }

  @Test
  void a503IsAbortedAndSentAgainToTheOtherTarget() throws Exception {
    UpstreamTargets targets =
        targets(
            retry(2, Duration.ofMillis(1), Retry.When.SERVICE_UNAVAILABLE),
            "http://a:1",
            "http://b:2");
    UpstreamTarget a = targets.targets().get(0);
    UpstreamTarget b = targets.targets().get(1);
    BalancedExchange exchange = retrying(targets, "GET");
    List<String> aborted = new CopyOnWriteArrayList<>();

    handlers.get(0).onResponse(response(503, aborted));

    assertEquals(List.of("aborted"), aborted, "nothing of it reaches the client");
    awaitSent(2);
    assertEquals(URI.create("http://b:2/x?q=1"), sent.get(1).uri());
    assertEquals(List.of(), relayed);
    assertEquals(0, a.inFlight(), "the first attempt ended on its target");
    assertEquals(1, b.inFlight());
    assertEquals(List.of("/api/*"), counted);
    assertEquals(2, exchange.attempts());

    handlers.get(1).onResponse(response(503, aborted));
    handlers.get(1).onEnd();
    assertEquals(List.of("response 503", "end"), relayed, "attempts ran out: the last answer");
    assertEquals(0, b.inFlight());
    assertEquals(1, aborted.size());
  }

  @Test
  void aRetryGoesToAnotherTargetThanTheLastWhileOneIsAvailable() throws Exception {
    UpstreamTargets targets =
        targets(retry(4, Duration.ofMillis(1), Retry.When.BAD_GATEWAY), "http://a:1", "http://b:2");
    retrying(targets, "PUT");
    for (int i = 0; i < 3; i++) {
      handlers.get(i).onFailure(new UpstreamException(UpstreamFailure.PROTOCOL, new IOException()));
      awaitSent(i + 2);
    }
    assertEquals(
        List.of("a", "b", "a", "b"),
        sent.stream().map(r -> r.uri().getHost()).toList(),
        "alternating, never the same twice in a row");
    handlers.get(3).onFailure(new UpstreamException(UpstreamFailure.PROTOCOL, new IOException()));
    assertEquals(List.of("failure PROTOCOL"), relayed);
    assertEquals(3, counted.size());
  }

  @Test
  void oneTargetIsTriedAgainItself() throws Exception {
    UpstreamTargets targets =
        targets(retry(2, Duration.ofMillis(1), Retry.When.GATEWAY_TIMEOUT), "http://a:1");
    retrying(targets, "GET");
    handlers
        .get(0)
        .onFailure(new UpstreamException(UpstreamFailure.READ_TIMEOUT, new IOException()));
    awaitSent(2);
    assertEquals(URI.create("http://a:1/x?q=1"), sent.get(1).uri());
  }

  @Test
  void aMethodNotListedAndOutcomesNotListedAreNotTriedAgain() {
    UpstreamTargets targets =
        targets(
            retry(3, Duration.ofMillis(1), Retry.When.SERVICE_UNAVAILABLE),
            "http://a:1",
            "http://b:2");
    retrying(targets, "POST");
    List<String> aborted = new CopyOnWriteArrayList<>();
    handlers.get(0).onResponse(response(503, aborted));
    assertEquals(List.of("response 503"), relayed, "POST is not in the default methods");

    relayed.clear();
    retrying(targets, "GET");
    handlers.get(1).onResponse(response(502, aborted));
    assertEquals(List.of("response 502"), relayed, "502 is not in when");
    assertEquals(List.of(), aborted);
    assertEquals(2, sent.size());
  }

  @Test
  void theRequestEndingDuringTheBackoffSendsNothingAndGivesTheTargetBack() throws Exception {
    UpstreamTargets targets =
        targets(
            retry(2, Duration.ofSeconds(1), Retry.When.SERVICE_UNAVAILABLE),
            "http://a:1",
            "http://b:2");
    UpstreamTarget b = targets.targets().get(1);
    BalancedExchange exchange = retrying(targets, "GET");
    handlers.get(0).onResponse(response(503, new CopyOnWriteArrayList<>()));
    assertEquals(1, b.inFlight(), "taken for the retry while it waits");

    exchange.onComplete(null); // the container ended the request (the client went away)

    assertEquals(0, b.inFlight());
    Thread.sleep(1_300);
    assertEquals(1, sent.size(), "the retry was not sent");
    assertTrue(relayed.isEmpty(), relayed::toString);
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
