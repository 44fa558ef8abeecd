package io.deskrun.server;

import static io.deskrun.server.ServerFixture.params;
import static org.assertj.core.api.Assertions.assertThat;

import io.deskrun.protocol.RunReport;
import io.deskrun.protocol.TargetStatus;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StopInvocationTest {
  @TempDir static Path dataDir;
  static ServerFixture server;

  @BeforeAll
  static void start() {
    server = new ServerFixture(dataDir);
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static String run(ServerFixture.Enrolled... desktops) {
    Map<String, String> parameters = params("Type", "RunShellScript", "CommandContent", "sleep 9");
    for (int i = 0; i < desktops.length; i++) {
      parameters.put("DesktopId." + (i + 1), desktops[i].desktopId());
    }
    return (String) server.call("RunCommand", parameters).get("InvokeId");
  }

  private static TargetStatus status(String invokeId, ServerFixture.Enrolled desktop) {
    return server.components.targets.statusOf(invokeId, desktop.desktopId()).orElseThrow();
  }

  private static void start(ServerFixture.Enrolled desktop, String invokeId) {
    server.poll(desktop, 10, 0, List.of());
    server.report(desktop, new RunReport(invokeId, TargetStatus.Running, null, "", 0, null, null));
  }

  @Test
  void stop_pendingTarget_cancelled() {
    ServerFixture.Enrolled desktop = server.enrollDesktop();
    String invokeId = run(desktop);

    server.call("StopInvocation", params("InvokeId", invokeId));

    assertThat(status(invokeId, desktop)).isEqualTo(TargetStatus.Cancelled);
    assertThat(server.poll(desktop, 10, 0, List.of()).tasks()).isEmpty();
  }

  @Test
  void stop_runningTarget_stoppingThenTerminatedByReport() {
    ServerFixture.Enrolled desktop = server.enrollDesktop();
    String invokeId = run(desktop);
    start(desktop, invokeId);

    server.call("StopInvocation", params("InvokeId", invokeId));
    TargetStatus afterStop = status(invokeId, desktop);
    server.report(
        desktop, new RunReport(invokeId, TargetStatus.Terminated, null, "", 0, null, null));

    assertThat(afterStop).isEqualTo(TargetStatus.Stopping);
    assertThat(status(invokeId, desktop)).isEqualTo(TargetStatus.Terminated);
  }

  @Test
  void stop_finishedInvocation_succeedsAndChangesNothing() {
    ServerFixture.Enrolled desktop = server.enrollDesktop();
    String invokeId = run(desktop);
    start(desktop, invokeId);
    server.report(desktop, new RunReport(invokeId, TargetStatus.Success, 0L, "", 0, null, null));

    Map<String, Object> response = server.call("StopInvocation", params("InvokeId", invokeId));

    assertThat(response).containsOnlyKeys("RequestId");
    assertThat(status(invokeId, desktop)).isEqualTo(TargetStatus.Success);
  }

  @Test
  void stop_selectedDesktop_stopsOnlyThatTarget() {
    ServerFixture.Enrolled first = server.enrollDesktop();
    ServerFixture.Enrolled second = server.enrollDesktop();
    String invokeId = run(first, second);

    server.call("StopInvocation", params("InvokeId", invokeId, "DesktopId.1", second.desktopId()));

    assertThat(status(invokeId, first)).isEqualTo(TargetStatus.Pending);
    assertThat(status(invokeId, second)).isEqualTo(TargetStatus.Cancelled);
  }

  @Test
  void stop_desktopNotATarget_rejected() {
    ServerFixture.Enrolled desktop = server.enrollDesktop();
    String invokeId = run(desktop);

    ServerFixture.ApiFailure error =
        server.failure("StopInvocation", params("InvokeId", invokeId, "DesktopId.1", "ecd-other"));

    assertThat(error.code()).isEqualTo("InvalidParameter.DesktopId");
    assertThat(error.getMessage()).contains("ecd-other");
    assertThat(status(invokeId, desktop)).isEqualTo(TargetStatus.Pending);
  }

  @Test
  void stop_unknownInvokeId_notFound() {
    ServerFixture.ApiFailure error =
        server.failure("StopInvocation", params("InvokeId", "t-000000000000000000000000"));

    assertThat(error.code()).isEqualTo("InvalidInvokeId.NotFound");
    assertThat(error.httpStatus()).isEqualTo(404);
  }

  @Test
  void stop_invocationOfOtherAccount_notFound() {
    ServerFixture.Enrolled desktop = server.enrollDesktop();
    String invokeId = run(desktop);
    String other = server.otherAccount();

    ServerFixture.ApiFailure error =
        server.failureAs(other, "StopInvocation", params("InvokeId", invokeId));

    assertThat(error.code()).isEqualTo("InvalidInvokeId.NotFound");
    assertThat(status(invokeId, desktop)).isEqualTo(TargetStatus.Pending);
  }

  @Test
  void stop_missingInvokeId_missingParameter() {
    assertThat(server.failure("StopInvocation", params()).code()).isEqualTo("MissingParameter");
  }
}
