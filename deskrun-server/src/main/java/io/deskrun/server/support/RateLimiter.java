package io.deskrun.server.support;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A token bucket per key: each key may spend {@code permits} requests at once, and regains them
 * evenly over {@code period}. A limiter with zero permits lets everything through.
 *
 * <p>Keys are AccessKeyIds or desktop ids, so the number of buckets follows the number of real
 * callers; buckets that have refilled completely are dropped when the map grows past {@value
 * #PRUNE_ABOVE} entries.
 */
public final class RateLimiter {
  private static final int PRUNE_ABOVE = 10_000;

  private final long permits;
  private final Duration period;
  private final InstantSource clock;
  private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

  /**
   * @param permits requests a key may make per period, and at once; 0 turns the limit off
   * @param period the time in which a spent bucket refills completely
   * @param clock the time source, injected so tests can move it
   */
  public RateLimiter(long permits, Duration period, InstantSource clock) {
    if (permits < 0) {
      throw new IllegalArgumentException("permits must be 0 or more, got " + permits + ".");
    }
    if (period.isNegative() || period.isZero()) {
      throw new IllegalArgumentException("period must be positive, got " + period + ".");
    }
    this.permits = permits;
    this.period = period;
    this.clock = clock;
  }

  /** Returns a limiter that never refuses. */
  public static RateLimiter unlimited() {
    return new RateLimiter(0, Duration.ofSeconds(1), InstantSource.system());
  }

  /** Returns the permits per period, 0 when the limit is off. */
  public long permits() {
    return permits;
  }

  public Duration period() {
    return period;
  }

  /**
   * Takes one permit for the key. Returns empty when the request may go ahead, or how long the
   * caller should wait before the next permit is available.
   */
  public Optional<Duration> tryAcquire(String key) {
    if (permits == 0) {
      return Optional.empty();
    }
    Instant now = clock.instant();
    if (buckets.size() > PRUNE_ABOVE) {
      buckets.values().removeIf(bucket -> bucket.isFull(now));
    }
    return buckets.computeIfAbsent(key, k -> new Bucket(now)).tryTake(now);
  }

  /** One key's tokens, refilled lazily from the time of the last take. */
  private final class Bucket {
    private double tokens = permits;
    private Instant updated;

    Bucket(Instant now) {
      this.updated = now;
    }

    synchronized Optional<Duration> tryTake(Instant now) {
      refill(now);
      if (tokens >= 1) {
        tokens -= 1;
        return Optional.empty();
      }
      double nanosPerToken = (double) period.toNanos() / permits;
      return Optional.of(Duration.ofNanos((long) Math.ceil((1 - tokens) * nanosPerToken)));
    }

    synchronized boolean isFull(Instant now) {
      refill(now);
      return tokens >= permits;
    }

    private void refill(Instant now) {
      if (now.isAfter(updated)) {
        double elapsed = Duration.between(updated, now).toNanos();
        tokens = Math.min(permits, tokens + elapsed * permits / period.toNanos());
        updated = now;
      }
    }
  }
}
