package io.deskrun.agent.poll;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BackoffTest {
  @Test
  void nextDelay_repeatedFailures_doublesUpToMax() {
    Backoff backoff = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(8), new Random(42));
    long[] ceilings = {1000, 2000, 4000, 8000, 8000, 8000};

    for (long ceiling : ceilings) {
      long delay = backoff.nextDelay().toMillis();

      assertThat(delay).isBetween(ceiling / 2, ceiling);
    }
  }

  @Test
  void reset_afterFailures_startsFromInitial() {
    Backoff backoff = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(60), new Random(7));
    for (int i = 0; i < 5; i++) {
      backoff.nextDelay();
    }

    backoff.reset();

    assertThat(backoff.nextDelay()).isLessThanOrEqualTo(Duration.ofSeconds(1));
  }

  @Test
  void nextDelay_manyAgents_spread() {
    long first =
        new Backoff(Duration.ofSeconds(8), Duration.ofSeconds(8), new Random(1))
            .nextDelay()
            .toMillis();
    long second =
        new Backoff(Duration.ofSeconds(8), Duration.ofSeconds(8), new Random(2))
            .nextDelay()
            .toMillis();

    assertThat(first).isNotEqualTo(second);
  }

  @Test
  void constructor_maxBelowInitial_rejected() {
    assertThatThrownBy(
            () -> new Backoff(Duration.ofSeconds(5), Duration.ofSeconds(1), new Random()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("PT5S");
  }
}
