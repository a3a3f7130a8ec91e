package dev.gatewaywar.config.internal;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Which configuration keys hold secrets, decided here once, and how problem messages are kept free
 * of them. A secret's value is never shown, even where a message would quote a value: a secret
 * reused through a YAML alias or the same {@code ${VARIABLE}} under a key of another type, or a
 * Redis URL written where its mapping goes. {@code check}, the start-up log and a reload's log all
 * print problems, so this is where they are cleaned.
 *
 * <p>Secret-bearing: every key named {@code secret}, {@code client_secret} or {@code password}
 * ({@code auth.secret}, {@code auth.introspection.client_secret}), and under {@code redis} (global
 * or a route's {@code rate_limit}) the {@code url}, or the whole value when it is not a mapping: a
 * Redis URL carries its password. Credentials in any URL ({@code scheme://user:password@host}) are
 * masked wherever they appear.
 */
final class SecretKeys {
  private static final Set<String> NAMES = Set.of("secret", "client_secret", "password");

  /** Shorter secrets are masked only where a message quotes them whole. */
  private static final int MIN_MASKED_LENGTH = 4;

  private static final Pattern USER_INFO = Pattern.compile("(?<=://)[^/?#@\\s']*@");

  static final String MASK = "(secret, not shown)";

  private SecretKeys() {}

  /** Whether the value of {@code key}, in the mapping that is {@code parent}'s value, is secret. */
  static boolean isSecret(String parent, String key, Node value) {
    if (NAMES.contains(key)) {
      return true;
    }
    if (key.equals("redis")) {
      return !(value instanceof MappingNode);
    }
    return "redis".equals(parent) && key.equals("url");
  }

  /**
   * Gives {@code hide} the text of every scalar under a secret-bearing key in the document, as
   * written and as {@code interpolator} resolves it.
   */
  static void collect(Node root, Interpolator interpolator, Consumer<String> hide) {
    walk(root, "", false, interpolator, hide, Collections.newSetFromMap(new IdentityHashMap<>()));
  }

  private static void walk(
      Node node,
      String parent,
      boolean secret,
      Interpolator interpolator,
      Consumer<String> hide,
      Set<Node> seen) {
    if (node == null || !seen.add(node)) {
      return;
    }
    if (node instanceof ScalarNode s && secret) {
      hide.accept(s.getValue());
      try {
        hide.accept(interpolator.apply(s.getValue()));
      } catch (IllegalArgumentException e) {
        // reported where the key is read
      }
    } else if (node instanceof SequenceNode seq) {
      for (Node n : seq.getValue()) {
        walk(n, parent, secret, interpolator, hide, seen);
      }
    } else if (node instanceof MappingNode map) {
      for (NodeTuple t : map.getValue()) {
        String key = t.getKeyNode() instanceof ScalarNode k ? k.getValue() : "";
        Node value = t.getValueNode();
        walk(value, key, secret || isSecret(parent, key, value), interpolator, hide, seen);
      }
    }
  }

  /** {@code message} with every hidden value and every URL's credentials masked. */
  static String clean(String message, Set<String> hidden) {
    String m = message;
    for (String h : hidden) {
      if (h.isEmpty()) {
        continue;
      }
      m = m.replace("'" + h + "'", MASK);
      if (h.length() >= MIN_MASKED_LENGTH) {
        m = m.replace(h, MASK);
      }
    }
    return USER_INFO.matcher(m).replaceAll("***@");
  }
}
