/**
 * What an operator sees of a running gateway: {@link dev.gatewaywar.operations.GatewayStatus}, a
 * read-only view of its configuration, routes and targets with live counts (read from the metrics'
 * own instruments), and the admin page built on it.
 */
package dev.gatewaywar.operations;
