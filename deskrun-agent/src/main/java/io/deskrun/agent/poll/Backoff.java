package io.deskrun.agent.poll;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * Exponential backoff with jitter for calls to an unreachable or failing server. The ceiling
 * doubles after each failure up to a maximum. Each delay is drawn from the upper half of the
 * ceiling, so agents that lost the server together do not come back in step.
 */
public final class Backoff {
  private final Duration initial;
  private final Duration max;
  private final RandomGenerator random;
  private Duration ceiling;

  public Backoff(Duration initial, Duration max, RandomGenerator random) {
    if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
      throw new IllegalArgumentException(
          "backoff needs 0 < initial <= max, got initial " + initial + " and max " + max);
    }
    this.initial = initial;
    this.max = max;
    this.random = random;
    this.ceiling = initial;
  }

  /** Returns the delay before the next attempt and doubles the ceiling for the one after. */
  public synchronized Duration nextDelay() {
    long ceilingMillis = ceiling.toMillis();
    long delay = ceilingMillis / 2 + random.nextLong(ceilingMillis / 2 + 1);
    Duration doubled = ceiling.multipliedBy(2);
    ceiling = doubled.compareTo(max) > 0 ? max : doubled;
    return Duration.ofMillis(delay);
  }

  /** Starts again from the initial delay after a success. */
  public synchronized void reset() {
    ceiling = initial;
  }
}
