package io.deskrun.server.invocation;

import io.deskrun.protocol.TargetStatus;
import java.util.Collection;
import java.util.Set;

/** The overall status of an invocation, computed from its targets' statuses. */
public final class RollUp {
  static final String PENDING = "Pending";
  static final String RUNNING = "Running";
  static final String STOPPING = "Stopping";
  static final String STOPPED = "Stopped";
  static final String SUCCESS = "Success";
  static final String FAILED = "Failed";
  static final String PARTIAL_FAILED = "PartialFailed";

  private static final Set<TargetStatus> STOPPED_STATUSES =
      Set.of(TargetStatus.Cancelled, TargetStatus.Terminated);

  private RollUp() {}

  /**
   * Returns {@code Pending} if any target is Pending, else {@code Running} if any is Running, else
   * {@code Stopping} if any is Stopping. Once all are final: {@code Stopped} when every target was
   * stopped, {@code Success} with successes and no failures, {@code Failed} with failures and no
   * success, {@code PartialFailed} with both. Stopped targets beside others count as neither.
   */
  public static String overall(Collection<TargetStatus> statuses) {
    if (statuses.contains(TargetStatus.Pending)) {
      return PENDING;
    }
    if (statuses.contains(TargetStatus.Running)) {
      return RUNNING;
    }
    if (statuses.contains(TargetStatus.Stopping)) {
      return STOPPING;
    }
    long succeeded = statuses.stream().filter(s -> s == TargetStatus.Success).count();
    long stopped = statuses.stream().filter(STOPPED_STATUSES::contains).count();
    long failed = statuses.size() - succeeded - stopped;
    if (stopped == statuses.size()) {
      return STOPPED;
    }
    if (failed == 0) {
      return SUCCESS;
    }
    return succeeded == 0 ? FAILED : PARTIAL_FAILED;
  }
}
