package dev.gatewaywar.api;

import jakarta.servlet.ServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Edits of the upstream's response head, for filters that own some response headers (CORS, header
 * rewriting). The proxy writes the upstream's answer later, on the upstream client's threads, after
 * the filters have returned; a filter registers a hook before calling {@code chain.doFilter}, and
 * the proxy runs the hooks, in the order registered, when it copies the upstream's head to the
 * client's response. Headers a filter sets on the client's response itself also stay on the
 * gateway's own error answers; the hooks see only an upstream's head.
 */
public final class ResponseHeadHooks {
  private static final String ATTRIBUTE = ResponseHeadHooks.class.getName();

  /** One edit of an upstream's response head. */
  @FunctionalInterface
  public interface Hook {
    /**
     * Called on an upstream client thread, once, before the headers are copied, with the relay's
     * lock held: it must be quick and must not throw or block.
     *
     * @param headers the upstream's end-to-end headers about to be copied, in order: a mutable list
     *     whose entries the hook may remove, replace or add to
     * @param clientResponse the client's response, holding what the filters set on it (its status
     *     is already the upstream's)
     */
    void apply(List<Map.Entry<String, String>> headers, HttpServletResponse clientResponse);
  }

  private final List<Hook> hooks = new ArrayList<>(2);

  private ResponseHeadHooks() {}

  /** Runs {@code hook} on the head of {@code request}'s upstream answer, if one comes. */
  public static void add(ServletRequest request, Hook hook) {
    ResponseHeadHooks h = (ResponseHeadHooks) request.getAttribute(ATTRIBUTE);
    if (h == null) {
      h = new ResponseHeadHooks();
      request.setAttribute(ATTRIBUTE, h);
    }
    h.hooks.add(hook);
  }

  /** The hooks registered on {@code request}, in order; empty when none. */
  public static List<Hook> of(ServletRequest request) {
    ResponseHeadHooks h = (ResponseHeadHooks) request.getAttribute(ATTRIBUTE);
    return h == null ? List.of() : h.hooks;
  }
}
