package dev.gatewaywar.config;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatewaywar.testing.TestLoaders;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A problem message never shows the value of a secret-bearing key, wherever that value ends up: a
 * YAML alias, the same variable under a key of another type, a Redis URL where its mapping goes.
 * The problem is still reported with its key and line.
 */
class SecretValuesTest {
  private static final String SECRET = "s3cr3t-jwt-value-0123456789abcdef";
  private static final String REDIS_PASSWORD = "redis-pa55word";

  private final ConfigLoader loader =
      new ConfigLoader(TestLoaders.ANY_MIDDLEWARE, Map.of("JWT_SECRET", SECRET)::get);

  private String problems(String yaml) {
    return assertThrows(ConfigException.class, () -> loader.parse(yaml, "test.yaml")).getMessage();
  }

  /** An alias is the anchored node itself: its problems carry the anchor's line. */
  private static void assertHidden(String message, String secret, String stillSays) {
    assertFalse(message.contains(secret), message);
    assertTrue(message.contains(stillSays), message);
  }

  @Test
  void authSecretReusedByAnAliasUnderABooleanIsNotShown() {
    String message =
        problems(
            """
            auth:
              secret: &s %s
              enabled: *s
            routes: []
            """
                .formatted(SECRET));

    assertHidden(message, SECRET, "line 2: auth.enabled: expected true or false");
  }

  @Test
  void authSecretFromTheEnvironmentUnderADurationIsNotShown() {
    String message =
        problems(
            """
            auth:
              enabled: true
              secret: ${JWT_SECRET}
              clock_skew: ${JWT_SECRET}
            routes: []
            """);

    assertHidden(message, SECRET, "line 4: auth.clock_skew:");
  }

  @Test
  void introspectionClientSecretWhereAListGoesIsNotShown() {
    String message =
        problems(
            """
            auth:
              introspection:
                url: https://id.example/introspect
                client_secret: &c cl13nt-secret
              audience: *c
            routes: []
            """);

    assertHidden(message, "cl13nt-secret", "line 4: auth.audience: expected a list");
  }

  @Test
  void redisUrlWrittenWhereItsMappingGoesIsNotShown() {
    String message =
        problems(
            """
            rate_limit:
              redis: redis://:%s@redis.internal:6379
            routes: []
            """
                .formatted(REDIS_PASSWORD));

    assertHidden(message, REDIS_PASSWORD, "line 2: rate_limit.redis: expected a mapping");
  }

  @Test
  void aRoutesRedisUrlUnderAnIntegerIsNotShown() {
    String message =
        problems(
            """
            routes:
              - path: /a
                target: http://localhost:9000
                middleware: [ratelimit]
                rate_limit:
                  redis:
                    url: &u redis://:%s@redis.internal:6379
                  burst: *u
            """
                .formatted(REDIS_PASSWORD));

    assertHidden(message, REDIS_PASSWORD, "line 7: routes[0].rate_limit.burst:");
  }

  @Test
  void credentialsInATargetAreNotShown() {
    String message =
        problems(
            """
            routes:
              - path: /a
                target: http://admin:hunter2-pw@localhost:9000
            """);

    assertHidden(message, "hunter2-pw", "line 3: routes[0].target:");
  }
}
