package io.deskrun.server.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class IdsTest {
  private static final String INVOKE_ID_FORMAT = "t-[a-z0-9]{24}";

  @Test
  void invokeId_anyTime_matchesFormat() {
    for (long millis : List.of(0L, 1L, 35L, 36L, now(), maxTime())) {
      assertThat(Ids.invokeId(millis)).matches(INVOKE_ID_FORMAT);
    }
  }

  @Test
  void invokeId_laterMillisecond_sortsAfterAsText() {
    List<Long> times =
        List.of(
            0L,
            9L,
            10L,
            35L,
            36L,
            Instant.parse("2026-12-05T06:00:00Z").toEpochMilli(),
            Instant.parse("2026-12-05T06:00:00.001Z").toEpochMilli(),
            Instant.parse("2059-01-01T00:00:00Z").toEpochMilli(),
            Instant.parse("2200-01-01T00:00:00Z").toEpochMilli(),
            maxTime());
    List<String> ids = new ArrayList<>();
    for (long millis : times) {
      ids.add(Ids.invokeId(millis));
    }

    assertThat(ids).isSorted();
  }

  @Test
  void invokeId_sameMillisecond_differs() {
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < 1000; i++) {
      ids.add(Ids.invokeId(now()));
    }

    assertThat(ids).hasSize(1000);
  }

  @Test
  void invokeId_timeBeyondNineDigits_rejected() {
    assertThatThrownBy(() -> Ids.invokeId(maxTime() + 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(String.valueOf(maxTime() + 1));
    assertThatThrownBy(() -> Ids.invokeId(-1)).isInstanceOf(IllegalArgumentException.class);
  }

  private static long now() {
    return System.currentTimeMillis();
  }

  /** Returns the last epoch ms that fits in 9 base-36 digits. */
  private static long maxTime() {
    return Long.parseLong("zzzzzzzzz", 36);
  }
}
