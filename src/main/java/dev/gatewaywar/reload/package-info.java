/**
 * Watching the configuration file for changes ({@code server.reload}): a {@link
 * dev.gatewaywar.reload.ConfigWatcher} notices an edit in place, an atomic rename over the file and
 * a Kubernetes ConfigMap update (a symbolic-link flip), and hands the new content to a listener;
 * building and swapping in the new configuration is the core package's business.
 */
package dev.gatewaywar.reload;
