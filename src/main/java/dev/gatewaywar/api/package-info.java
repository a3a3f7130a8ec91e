/**
 * What a middleware may use: the {@link dev.gatewaywar.api.Middleware} service-provider interface
 * and the context it builds a route's filter from, the typed causes a filter throws to refuse a
 * request ({@link dev.gatewaywar.api.GatewayException}, {@link dev.gatewaywar.api.GatewayError})
 * and the one writer of error responses, the accessors of request state other filters left ({@link
 * dev.gatewaywar.api.Claims}, {@link dev.gatewaywar.api.RequestId}, {@link
 * dev.gatewaywar.api.Completion}), {@link dev.gatewaywar.api.ReservedResponseHeaders} for headers a
 * filter owns on a response written later, and {@link dev.gatewaywar.api.SharedResources} for what
 * configurations with equal settings share.
 *
 * <p>Built-in and custom middleware depend on this package; it depends on no capability (only on
 * the configuration records it hands over), so a middleware's author sees here everything the
 * gateway promises to keep stable, and nothing of how it is assembled.
 */
package dev.gatewaywar.api;
