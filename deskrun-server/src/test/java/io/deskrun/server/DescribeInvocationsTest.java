package io.deskrun.server;

import static io.deskrun.server.ServerFixture.params;
import static org.assertj.core.api.Assertions.assertThat;

import io.deskrun.protocol.RunReport;
import io.deskrun.protocol.ScriptType;
import io.deskrun.protocol.TargetStatus;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DescribeInvocationsTest {
  @TempDir static Path dataDir;
  static ServerFixture server;
  static ServerFixture.Enrolled shell;
  static ServerFixture.Enrolled both;

  @BeforeAll
  static void start() {
    server = new ServerFixture(dataDir);
    shell = server.enrollDesktop();
    both = server.enrollDesktop(List.of(ScriptType.RunShellScript, ScriptType.RunPowerShellScript));
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static String run(String type, String script, ServerFixture.Enrolled... desktops) {
    Map<String, String> parameters = params("Type", type, "CommandContent", script);
    for (int i = 0; i < desktops.length; i++) {
      parameters.put("DesktopId." + (i + 1), desktops[i].desktopId());
    }
    server.clock.advance(Duration.ofSeconds(1));
    return (String) server.call("RunCommand", parameters).get("InvokeId");
  }

  private static void finish(ServerFixture.Enrolled desktop, String invokeId, TargetStatus status) {
    server.report(
        desktop,
        new RunReport(
            invokeId, status, status == TargetStatus.Success ? 0L : 1L, "out", 0, null, null));
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> invocations(Map<String, String> parameters) {
    return (List<Map<String, Object>>)
        server.call("DescribeInvocations", parameters).get("Invocations");
  }

  private static Map<String, Object> one(String invokeId, String... extra) {
    Map<String, String> parameters = params("InvokeId", invokeId);
    parameters.putAll(params(extra));
    List<Map<String, Object>> found = invocations(parameters);
    assertThat(found).hasSize(1);
    return found.get(0);
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> targets(Map<String, Object> invocation) {
    return (List<Map<String, Object>>) invocation.get("InvokeDesktops");
  }

  @Test
  void describe_defaults_base64ContentNoOutputWithTargets() {
    String invokeId = run("RunShellScript", "echo d\u00e9faut", shell);

    Map<String, Object> invocation = one(invokeId);

    assertThat(invocation.get("CommandContent"))
        .isEqualTo(
            Base64.getEncoder()
                .encodeToString("echo d\u00e9faut".getBytes(StandardCharsets.UTF_8)));
    assertThat(invocation.get("CommandType")).isEqualTo("RunShellScript");
    assertThat(invocation.get("InvocationStatus")).isEqualTo("Pending");
    assertThat(invocation.get("InvokeDesktopCount")).isEqualTo(1);
    assertThat(invocation.get("InvokeDesktopSucceedCount")).isEqualTo(0);
    assertThat((String) invocation.get("CreationTime"))
        .matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ");
    Map<String, Object> target = targets(invocation).get(0);
    assertThat(target).doesNotContainKey("Output");
    assertThat(target.get("Repeats")).isEqualTo(1);
    assertThat(target.get("Dropped")).isEqualTo(0);
    assertThat(target.get("StartTime")).isNull();
  }

  @Test
  void describe_includeOutputBase64_encodesOutput() {
    String invokeId = run("RunShellScript", "echo x", shell);
    server.poll(shell, 10, 0, List.of());
    server.report(
        shell, new RunReport(invokeId, TargetStatus.Success, 0L, "\u4e2d\u6587\n", 0, null, null));

    Map<String, Object> target = targets(one(invokeId, "IncludeOutput", "true")).get(0);

    assertThat(target.get("Output"))
        .isEqualTo(
            Base64.getEncoder().encodeToString("\u4e2d\u6587\n".getBytes(StandardCharsets.UTF_8)));
    assertThat(((Number) target.get("ExitCode")).longValue()).isEqualTo(0L);
    assertThat(target).containsKeys("StartTime", "FinishTime", "UpdateTime");
  }

  @Test
  void describe_includeInvokeDesktopsFalse_leavesTargetsOut() {
    String invokeId = run("RunShellScript", "echo x", shell);

    Map<String, Object> invocation = one(invokeId, "IncludeInvokeDesktops", "false");

    assertThat(invocation).doesNotContainKey("InvokeDesktops");
    assertThat(invocation.get("InvokeDesktopCount")).isEqualTo(1);
  }

  @Test
  void describe_unknownInvokeId_emptyList() {
    assertThat(invocations(params("InvokeId", "t-000000000000000000000000"))).isEmpty();
  }

  @Test
  void describe_otherAccount_seesNothing() {
    String invokeId = run("RunShellScript", "echo mine", shell);
    String other = server.otherAccount();

    Object found =
        server
            .callAs(other, "DescribeInvocations", params("InvokeId", invokeId))
            .get("Invocations");

    assertThat((List<?>) found).isEmpty();
  }

  @Test
  void describe_filterByCommandTypeAndDesktop_matchesOnly() {
    String powershell = run("RunPowerShellScript", "Write-Output 1", both);
    String shellOnly = run("RunShellScript", "echo 1", shell);

    List<String> byType =
        ids(invocations(params("CommandType", "RunPowerShellScript", "MaxResults", "50")));
    List<String> byDesktop =
        ids(invocations(params("DesktopId", shell.desktopId(), "MaxResults", "50")));
    List<String> byDesktops =
        ids(invocations(params("DesktopIds.1", both.desktopId(), "MaxResults", "50")));

    assertThat(byType).contains(powershell).doesNotContain(shellOnly);
    assertThat(byDesktop).contains(shellOnly).doesNotContain(powershell);
    assertThat(byDesktops).contains(powershell).doesNotContain(shellOnly);
  }

  @Test
  void describe_invokeStatusFilters_useLegacyNames() {
    String running = run("RunShellScript", "echo r", shell);
    String finished = run("RunShellScript", "echo f", shell);
    String failed = run("RunShellScript", "echo x", shell);
    String partial = run("RunShellScript", "echo p", shell, both);
    String stopped = run("RunShellScript", "echo s", shell);
    server.poll(shell, 50, 0, List.of());
    server.poll(both, 50, 0, List.of());
    finish(shell, finished, TargetStatus.Success);
    finish(shell, failed, TargetStatus.Failed);
    finish(shell, partial, TargetStatus.Success);
    finish(both, partial, TargetStatus.Error);
    server.call("StopInvocation", params("InvokeId", stopped));

    assertThat(ids(filtered("Running")))
        .contains(running)
        .doesNotContain(finished, failed, partial, stopped);
    assertThat(ids(filtered("Finished")))
        .contains(finished)
        .doesNotContain(running, failed, partial, stopped);
    assertThat(ids(filtered("Failed")))
        .contains(failed)
        .doesNotContain(running, finished, partial, stopped);
    assertThat(ids(filtered("PartialFailed")))
        .contains(partial)
        .doesNotContain(running, finished, failed, stopped);
    assertThat(ids(filtered("Stopped")))
        .contains(stopped)
        .doesNotContain(running, finished, failed, partial);
    assertThat(one(partial).get("InvocationStatus")).isEqualTo("PartialFailed");
    assertThat(one(stopped).get("InvocationStatus")).isEqualTo("Stopped");
    assertThat(one(finished).get("InvokeDesktopSucceedCount")).isEqualTo(1);
  }

  private static List<Map<String, Object>> filtered(String status) {
    return invocations(params("InvokeStatus", status, "MaxResults", "50"));
  }

  @Test
  void describe_unknownInvokeStatus_rejected() {
    ServerFixture.ApiFailure error =
        server.failure("DescribeInvocations", params("InvokeStatus", "Success"));

    assertThat(error.code()).isEqualTo("InvalidParameter.InvokeStatus");
    assertThat(error.getMessage()).contains("Finished");
  }

  @Test
  void describe_maxResultsOutOfRange_rejected() {
    for (String value : List.of("0", "51", "x")) {
      ServerFixture.ApiFailure error =
          server.failure("DescribeInvocations", params("MaxResults", value));
      assertThat(error.code()).isEqualTo("InvalidParameter.MaxResults");
      assertThat(error.getMessage()).contains("1 to 50");
    }
  }

  @Test
  void describe_paging_newestFirstWithoutGapsOrRepeats() {
    ServerFixture.Enrolled pager = server.enrollDesktop();
    List<String> created = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      created.add(0, run("RunShellScript", "echo " + i, pager));
    }

    List<String> seen = new ArrayList<>();
    String token = null;
    for (int page = 0; page < 10; page++) {
      Map<String, String> parameters = params("DesktopId", pager.desktopId(), "MaxResults", "2");
      if (token != null) {
        parameters.put("NextToken", token);
      }
      Map<String, Object> response = server.call("DescribeInvocations", parameters);
      @SuppressWarnings("unchecked")
      List<Map<String, Object>> items = (List<Map<String, Object>>) response.get("Invocations");
      seen.addAll(ids(items));
      token = (String) response.get("NextToken");
      if (token.isEmpty()) {
        break;
      }
    }

    assertThat(seen).containsExactlyElementsOf(created);
    assertThat(token).isEmpty();
  }

  @Test
  void describe_forgedNextToken_rejected() {
    for (String token : List.of("abc", "MTIzOnQtMQ", "not base64 !")) {
      ServerFixture.ApiFailure error =
          server.failure("DescribeInvocations", params("NextToken", token));
      assertThat(error.code()).isEqualTo("InvalidParameter.NextToken");
    }
  }

  @Test
  void describe_tokenOfOtherAccount_rejected() {
    run("RunShellScript", "echo 1", shell);
    run("RunShellScript", "echo 2", shell);
    String token =
        (String) server.call("DescribeInvocations", params("MaxResults", "1")).get("NextToken");
    String other = server.otherAccount();

    ServerFixture.ApiFailure error =
        server.failureAs(other, "DescribeInvocations", params("NextToken", token));

    assertThat(error.code()).isEqualTo("InvalidParameter.NextToken");
  }

  private static List<String> ids(List<Map<String, Object>> invocations) {
    return invocations.stream().map(item -> (String) item.get("InvokeId")).toList();
  }
}
