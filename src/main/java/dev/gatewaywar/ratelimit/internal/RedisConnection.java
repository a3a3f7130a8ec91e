package dev.gatewaywar.ratelimit.internal;

import dev.gatewaywar.ratelimit.BackendHealth;
import dev.gatewaywar.ratelimit.RateLimitConfig.RedisConfig;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import io.netty.util.concurrent.FastThreadLocal;
import io.netty.util.concurrent.FastThreadLocalThread;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * One Lettuce connection to the rate-limit Redis, shared by every limiter of a configuration.
 *
 * <p>Requests never wait for a connection: the first connect, and any later one after a failed
 * attempt, runs in the background, and until it succeeds the limiters report the backend as
 * unavailable (so {@code on_backend_error} decides at once). Once connected, Lettuce reconnects by
 * itself after an outage (backing off from 100 ms to 2 s), and while disconnected it rejects
 * commands at once instead of queueing them: a queued command would hold its request for the whole
 * timeout.
 */
public final class RedisConnection implements AutoCloseable {
  private static final Duration MIN_CONNECT_TIMEOUT = Duration.ofSeconds(1);
  private static final long RETRY_CONNECT_NANOS = TimeUnit.MILLISECONDS.toNanos(500);

  /**
   * Lettuce logs every reconnect attempt (a WARNING per failure, every 2 s for as long as Redis is
   * down); {@link BackendHealth} logs the outage once when it starts and once when it ends instead.
   * Held here because java.util.logging keeps loggers only weakly, and a collected logger forgets
   * its level.
   */
  private static final List<Logger> QUIETED =
      Stream.of(
              "io.lettuce.core.protocol.ConnectionWatchdog",
              "io.lettuce.core.protocol.ReconnectionHandler")
          .map(Logger::getLogger)
          .peek(l -> l.setLevel(Level.SEVERE))
          .toList();

  private static final RedisCodec<String, byte[]> CODEC =
      RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE);

  private final RedisConfig config;
  private final BackendHealth health;
  private final LongSupplier nanoTime;
  private final ClientResources resources;
  private final RedisClient client;
  private final RedisURI uri;
  private final AtomicBoolean connecting = new AtomicBoolean();
  private volatile StatefulRedisConnection<String, byte[]> connection;
  private volatile long lastAttempt;
  private volatile boolean closed;

  public RedisConnection(RedisConfig config, LongSupplier nanoTime) {
    this(config, nanoTime, () -> {});
  }

  /**
   * @param onFailure called once per failed Redis call (the gateway counts them in a metric)
   */
  public RedisConnection(RedisConfig config, LongSupplier nanoTime, Runnable onFailure) {
    this.config = config;
    this.health = new BackendHealth("redis " + config.describe(), onFailure);
    this.nanoTime = nanoTime;
    Duration connectTimeout =
        config.timeout().compareTo(MIN_CONNECT_TIMEOUT) > 0
            ? config.timeout()
            : MIN_CONNECT_TIMEOUT;
    this.uri = RedisURI.create(config.url());
    // Lettuce times the connection handshake (HELLO, PING) with the URI's timeout: the short
    // command timeout there makes a cold JVM's first connect fail. Commands get theirs below.
    uri.setTimeout(connectTimeout);
    this.resources =
        DefaultClientResources.builder()
            .ioThreadPoolSize(2)
            .computationThreadPoolSize(2)
            .reconnectDelay(
                Delay.exponential(
                    Duration.ofMillis(100), Duration.ofSeconds(2), 2, TimeUnit.MILLISECONDS))
            .build();
    this.client = RedisClient.create(resources, uri);
    client.setOptions(
        ClientOptions.builder()
            .autoReconnect(true)
            .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
            .socketOptions(SocketOptions.builder().connectTimeout(connectTimeout).build())
            .timeoutOptions(TimeoutOptions.enabled(config.timeout()))
            .build());
    this.lastAttempt = nanoTime.getAsLong() - RETRY_CONNECT_NANOS;
    // Give the first connect a moment, so a gateway that starts next to a healthy Redis limits its
    // first requests too; a Redis that is down delays start-up by the connect timeout at most.
    CompletableFuture<?> first = connectInBackground();
    try {
      first.get(connectTimeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      // logged and counted by the attempt itself; requests follow on_backend_error meanwhile
    } finally {
      forgetNettyThreadLocals();
    }
  }

  /**
   * Forgets what Netty keeps per thread in the calling thread, unless it is one of Netty's own. A
   * connect, a close or a command written from a server's thread (the deploying thread, a request
   * thread) leaves Netty's InternalThreadLocalMap (with the Recycler's pools) in a plain
   * ThreadLocal of that thread, which outlives the webapp and would keep its class loader alive
   * after undeploy (found by WildFlyDistributionIT with heap dumps).
   */
  static void forgetNettyThreadLocals() {
    if (!(Thread.currentThread() instanceof FastThreadLocalThread)) {
      FastThreadLocal.removeAll();
    }
  }

  /**
   * The commands of the open connection, or empty while there is none (a connect is then started in
   * the background if none ran lately).
   */
  public Optional<RedisAsyncCommands<String, byte[]>> commands() {
    StatefulRedisConnection<String, byte[]> c = connection;
    if (c != null) {
      return Optional.of(c.async());
    }
    connectInBackground();
    return Optional.empty();
  }

  /** Whether Redis answers, and how often it did not. */
  public BackendHealth health() {
    return health;
  }

  public RedisConfig config() {
    return config;
  }

  private CompletableFuture<?> connectInBackground() {
    long now = nanoTime.getAsLong();
    if (closed
        || now - lastAttempt < RETRY_CONNECT_NANOS
        || !connecting.compareAndSet(false, true)) {
      return CompletableFuture.completedFuture(null);
    }
    lastAttempt = now;
    return client
        .connectAsync(CODEC, uri)
        .toCompletableFuture()
        .whenComplete(
            (c, error) -> {
              connecting.set(false);
              if (error != null) {
                health.failed(error);
              } else if (closed) {
                c.closeAsync();
              } else {
                connection = c;
                health.succeeded();
              }
            });
  }

  @Override
  public void close() {
    closed = true;
    StatefulRedisConnection<String, byte[]> c = connection;
    if (c != null) {
      c.close();
    }
    try {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
      resources.shutdown(0, 2, TimeUnit.SECONDS);
    } finally {
      forgetNettyThreadLocals();
    }
  }
}
