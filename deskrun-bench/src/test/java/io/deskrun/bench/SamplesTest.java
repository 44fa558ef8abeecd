package io.deskrun.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SamplesTest {
  @Test
  void percentiles_oneToHundred_areNearestRank() {
    Samples samples = new Samples();
    for (int value = 100; value >= 1; value--) {
      samples.add(value);
    }

    assertThat(samples.median()).isEqualTo(50);
    assertThat(samples.p95()).isEqualTo(95);
    assertThat(samples.p99()).isEqualTo(99);
    assertThat(samples.percentile(100)).isEqualTo(100);
  }

  @Test
  void percentiles_threeValues_roundTheRankUp() {
    Samples samples = new Samples();
    samples.add(30);
    samples.add(10);
    samples.add(20);

    assertThat(samples.median()).isEqualTo(20);
    assertThat(samples.p95()).isEqualTo(30);
  }

  @Test
  void median_noValues_isNaN() {
    assertThat(new Samples().median()).isNaN();
  }
}
