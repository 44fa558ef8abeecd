package io.deskrun.agent.exec;

import io.deskrun.protocol.ErrorCodes;
import io.deskrun.protocol.RunReport;
import io.deskrun.protocol.TargetStatus;

/** Builders of the {@link RunReport}s a run sends. */
public final class RunReports {
  private RunReports() {}

  static RunReport running(String invokeId, OutputTail.Snapshot output) {
    return new RunReport(
        invokeId, TargetStatus.Running, null, output.text(), output.dropped(), null, null);
  }

  static RunReport exited(String invokeId, int exitCode, OutputTail.Snapshot output) {
    if (exitCode == 0) {
      return new RunReport(
          invokeId, TargetStatus.Success, 0L, output.text(), output.dropped(), null, null);
    }
    return new RunReport(
        invokeId,
        TargetStatus.Failed,
        (long) exitCode,
        output.text(),
        output.dropped(),
        ErrorCodes.EXIT_CODE_NONZERO,
        "the script exited with code " + exitCode);
  }

  static RunReport ended(
      String invokeId,
      TargetStatus status,
      String errorCode,
      String errorInfo,
      OutputTail.Snapshot output) {
    return new RunReport(
        invokeId, status, null, output.text(), output.dropped(), errorCode, errorInfo);
  }

  /** Returns the report of a run that was started before a crash and never finished. */
  public static RunReport interrupted(String invokeId) {
    return new RunReport(
        invokeId,
        TargetStatus.Error,
        null,
        "",
        0,
        ErrorCodes.EXECUTION_INTERRUPTED,
        "the agent stopped while the script was running; the run's result is unknown");
  }

  static RunReport failedToStart(String invokeId, String errorInfo) {
    return new RunReport(
        invokeId, TargetStatus.Error, null, "", 0, ErrorCodes.EXECUTION_EXCEPTION, errorInfo);
  }
}
