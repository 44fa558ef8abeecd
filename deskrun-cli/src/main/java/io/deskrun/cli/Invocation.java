package io.deskrun.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.deskrun.protocol.TargetStatus;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One item of a DescribeInvocations response, as the CLI shows it. Text fields absent from the
 * response are empty strings; an absent exit code is null.
 */
record Invocation(
    String invokeId,
    String status,
    String commandType,
    String creationTime,
    int desktopCount,
    int succeededCount,
    List<Target> targets,
    JsonNode json) {

  /** One desktop's part of the invocation. */
  record Target(
      String desktopId,
      String desktopName,
      String status,
      Long exitCode,
      String output,
      int droppedBytes,
      String errorCode,
      String errorInfo) {

    /** Tells whether the status is final; an unknown status counts as not final. */
    boolean isFinished() {
      return Arrays.stream(TargetStatus.values())
          .filter(known -> known.name().equals(status))
          .anyMatch(TargetStatus::isFinal);
    }

    static Target fromJson(JsonNode json) {
      JsonNode exitCode = json.path("ExitCode");
      return new Target(
          json.path("DesktopId").asText(""),
          json.path("DesktopName").asText(""),
          json.path("InvocationStatus").asText(""),
          exitCode.isNumber() ? exitCode.asLong() : null,
          json.path("Output").asText(""),
          json.path("Dropped").asInt(0),
          json.path("ErrorCode").asText(""),
          json.path("ErrorInfo").asText(""));
    }
  }

  static Invocation fromJson(JsonNode json) {
    List<Target> targets = new ArrayList<>();
    for (JsonNode target : json.path("InvokeDesktops")) {
      targets.add(Target.fromJson(target));
    }
    return new Invocation(
        json.path("InvokeId").asText(""),
        json.path("InvocationStatus").asText(""),
        json.path("CommandType").asText(""),
        json.path("CreationTime").asText(""),
        json.path("InvokeDesktopCount").asInt(targets.size()),
        json.path("InvokeDesktopSucceedCount").asInt(0),
        List.copyOf(targets),
        json);
  }

  long finishedCount() {
    return targets.stream().filter(Target::isFinished).count();
  }

  boolean isFinished() {
    return !targets.isEmpty() && finishedCount() == targets.size();
  }

  boolean allSucceeded() {
    return !targets.isEmpty()
        && targets.stream().allMatch(t -> t.status().equals(TargetStatus.Success.name()));
  }
}
