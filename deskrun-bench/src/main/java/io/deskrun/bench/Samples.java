package io.deskrun.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Measured values of one series, such as latencies in milliseconds, with nearest-rank ranks. */
final class Samples {
  private final List<Double> values = new ArrayList<>();

  synchronized void add(double value) {
    values.add(value);
  }

  synchronized int count() {
    return values.size();
  }

  double median() {
    return percentile(50);
  }

  double p95() {
    return percentile(95);
  }

  double p99() {
    return percentile(99);
  }

  /**
   * Returns the nearest-rank percentile: the smallest value with at least {@code percent} % of the
   * values at or below it; NaN when there are none.
   */
  synchronized double percentile(double percent) {
    if (values.isEmpty()) {
      return Double.NaN;
    }
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int rank = (int) Math.ceil(percent / 100.0 * sorted.size());
    return sorted.get(Math.max(0, Math.min(sorted.size(), rank) - 1));
  }
}
