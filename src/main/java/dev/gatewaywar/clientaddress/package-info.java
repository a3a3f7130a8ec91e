/**
 * Who the client is: the socket peer, or, behind trusted proxies ({@code server.trusted_proxies}),
 * the first address in {@code X-Forwarded-For} read from the right that is not a trusted proxy.
 * Resolved once per request by the front controller ({@link
 * dev.gatewaywar.clientaddress.ClientAddress#from}), so rate limiting, logging and auth agree.
 */
package dev.gatewaywar.clientaddress;
