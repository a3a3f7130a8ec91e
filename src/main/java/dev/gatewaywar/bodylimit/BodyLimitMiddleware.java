package dev.gatewaywar.bodylimit;

import dev.gatewaywar.api.BodyLimit;
import dev.gatewaywar.api.GatewayError;
import dev.gatewaywar.api.GatewayException;
import dev.gatewaywar.api.Middleware;
import dev.gatewaywar.api.MiddlewareContext;
import dev.gatewaywar.config.ConfigBlock;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import java.io.IOException;
import java.util.Map;
import java.util.Optional;

/**
 * The built-in {@code body_limit} middleware: a request declaring a longer body than {@code max} is
 * refused with 413 before any upstream is contacted; any other body (sent chunked) is limited with
 * {@link BodyLimit}, which the proxy enforces while it streams the body: the upstream exchange is
 * aborted as soon as the count passes {@code max}. Nothing is buffered here and the filter never
 * reads the body itself.
 */
public final class BodyLimitMiddleware implements Middleware {
  public static final String NAME = "body_limit";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Optional<ConfigBlock<?, ?>> config() {
    return Optional.of(BodyLimitBlock.INSTANCE);
  }

  @Override
  public Filter create(MiddlewareContext context) {
    BodyLimitConfig limit =
        context.own(BodyLimitBlock.INSTANCE).orElse(context.global(BodyLimitBlock.INSTANCE));
    return new BodyLimitFilter(limit.max());
  }

  /** The filter of one route. */
  static final class BodyLimitFilter implements Filter {
    /**
     * The refusal closes the connection: the body was not read, and reading it to reuse the
     * connection (as the container otherwise would) is the work the limit is there to spare.
     */
    private static final Map<String, String> CLOSE = Map.of("Connection", "close");

    private final long max;

    BodyLimitFilter(long max) {
      this.max = max;
    }

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
        throws IOException, ServletException {
      if (request.getContentLengthLong() > max) {
        throw new GatewayException(GatewayError.PAYLOAD_TOO_LARGE, CLOSE);
      }
      BodyLimit.set(request, max);
      chain.doFilter(request, response);
    }
  }
}
