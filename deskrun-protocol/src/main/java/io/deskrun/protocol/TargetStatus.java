package io.deskrun.protocol;

/** Status of one desktop's part of an invocation, by its API name. */
public enum TargetStatus {
  Pending,
  Invalid,
  Aborted,
  Running,
  Success,
  Failed,
  Error,
  Timeout,
  Stopping,
  Cancelled,
  Terminated;

  /** Tells whether no further transition can leave this status. */
  public boolean isFinal() {
    return switch (this) {
      case Pending, Running, Stopping -> false;
      default -> true;
    };
  }
}
