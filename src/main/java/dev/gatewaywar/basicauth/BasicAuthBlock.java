package dev.gatewaywar.basicauth;

import dev.gatewaywar.config.ConfigSection;
import dev.gatewaywar.config.InheritingBlock;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The {@code basic_auth:} blocks. A route's own block has the same keys as the top-level one and
 * inherits the keys it does not set. The htpasswd file is read with the block, so a bad line stops
 * the configuration like a bad key.
 */
public final class BasicAuthBlock extends InheritingBlock<BasicAuthConfig> {
  public static final BasicAuthBlock INSTANCE = new BasicAuthBlock();

  /** The header naming the authenticated user to the upstream. */
  public static final String USER_HEADER = "X-User-Id";

  private BasicAuthBlock() {
    super("basic_auth", BasicAuthConfig.DEFAULT);
  }

  @Override
  public Set<String> upstreamHeaders(BasicAuthConfig global, Optional<BasicAuthConfig> own) {
    return Set.of(USER_HEADER);
  }

  @Override
  protected BasicAuthConfig read(ConfigSection m, BasicAuthConfig inherited) {
    String realm = m.string("realm", inherited.realm());
    if (!realm.matches("[\\x20-\\x7e&&[^\"\\\\]]+")) {
      m.problem("realm", "must be printable ASCII without quotes or backslashes");
      realm = inherited.realm();
    }
    BasicAuthConfig.Source source =
        m.choice("source", BasicAuthConfig.Source.class, inherited.source());
    Path file = inherited.file();
    Htpasswd users = inherited.users();
    if (m.has("file")) {
      file = Path.of(m.string("file", ""));
      users = Htpasswd.read(file, message -> m.problem("file", message));
    }
    List<String> roles = inherited.roles();
    if (m.has("roles")) {
      roles = new ArrayList<>();
      for (ConfigSection.Item item : m.scalarList("roles")) {
        roles.add(item.value());
      }
    }
    if (source == BasicAuthConfig.Source.HTPASSWD) {
      if (file == null) {
        m.problem("source", "htpasswd needs file: PATH");
      }
      if (!roles.isEmpty()) {
        m.problem("roles", "need source: container (htpasswd users have no roles)");
        roles = List.of();
      }
    } else {
      if (m.has("file")) {
        m.problem("file", "is read with source: htpasswd only");
      }
      file = null; // the container checks passwords: a file set elsewhere is not used
      users = Htpasswd.EMPTY;
    }
    return new BasicAuthConfig(realm, source, file, users, roles);
  }
}
