/**
 * The {@code ratelimit} middleware: a token bucket per client key, in this process or in Redis.
 *
 * <h2>The model, and why it is Bucket4j rather than resilience4j</h2>
 *
 * The contract is the token bucket docs/security.md (Rate limiting) promises, {@code burst} its
 * capacity and {@code requests_per_second} its refill rate: a client that was quiet may send {@code
 * burst} requests at once, and after that one request per {@code 1/requests_per_second} seconds; at
 * no moment may it have sent more than {@code burst + requests_per_second × t} in any span of
 * {@code t} seconds.
 *
 * <p>resilience4j's rate limiters (2.4.0) are fixed-window limiters. The default, {@code
 * AtomicRateLimiter}, counts time in cycles of {@code limitRefreshPeriod} from its creation, and at
 * the start of each cycle sets the permissions back to {@code limitForPeriod}, never above ({@code
 * calculateNextState}: {@code min(current + cycles × limitForPeriod, limitForPeriod)}); {@code
 * SemaphoreBasedRateLimiter} tops a semaphore up to {@code limitForPeriod} from a scheduler thread
 * once per period, the same window with a thread per limiter. The contract's two numbers map onto
 * that in only two ways, and each breaks one half of it ({@code Resilience4jModelTest} measures
 * both on one hand-moved clock, burst 4 at 5/s):
 *
 * <ul>
 *   <li>{@code limitForPeriod = burst}, {@code limitRefreshPeriod = burst / requests_per_second}
 *       (0.8 s): the long-run rate is right, but the tokens come back all at once at each window
 *       edge, so a client takes 4 just before an edge and 4 more just after it: 8 requests within a
 *       millisecond, twice the burst. A token bucket admits 4.
 *   <li>{@code limitForPeriod = 1}, {@code limitRefreshPeriod = 1 / requests_per_second} (0.2 s):
 *       smooth, but there is no burst at all: a quiet client gets 1 request, not 4.
 * </ul>
 *
 * <p>Neither is the contract's bucket, so the limiter is Bucket4j 8.19 ({@code
 * bucket4j_jdk17-core}), whose classic bandwidth is exactly it: {@code capacity(burst)}, starting
 * full, {@code refillGreedy(1, 1/requests_per_second)} (greedy: tokens come back one at a time as
 * soon as each is due, not in a lump per period). resilience4j stays a test dependency only, for
 * the measurement above. A second reason, not the deciding one: a resilience4j limiter is a named,
 * observable object (event processor, tags, metrics) meant to guard one downstream, heavy for the
 * hundred thousand client keys a gateway keeps; a Bucket4j bucket is a few longs of state.
 *
 * <h2>Where buckets live</h2>
 *
 * <ul>
 *   <li>{@code backend: local} (default): {@link dev.gatewaywar.ratelimit.internal.LocalBuckets}, a
 *       Caffeine cache bounded by {@code max_keys} and {@code idle_timeout}.
 *   <li>{@code backend: redis}: {@link dev.gatewaywar.ratelimit.internal.RedisBuckets}, Bucket4j's
 *       Lettuce proxy manager: read the state, take the token, write it back with a
 *       compare-and-swap Lua script, retry if another instance wrote first. Chosen over a
 *       hand-written Lua token bucket because it is the same bucket code as local mode (one model,
 *       tested once), maintained, and its CAS makes every take atomic; the cost is two round trips
 *       per request (GET, then EVAL) instead of one.
 * </ul>
 *
 * <p>The global {@code rate_limit:} gives a client one bucket shared by every route that uses it; a
 * route's own {@code rate_limit:} block has its own buckets ({@link
 * dev.gatewaywar.ratelimit.RateLimitMiddleware}).
 */
package dev.gatewaywar.ratelimit;
