package io.deskrun.server.faults;

import static org.assertj.core.api.Assertions.assertThat;

import com.aliyun.ecd20200930.models.DescribeInvocationsResponseBody.DescribeInvocationsResponseBodyInvocationsInvokeDesktops;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.deskrun.protocol.AgentProtocol;
import io.deskrun.protocol.EnrollRequest;
import io.deskrun.protocol.EnrollResponse;
import io.deskrun.protocol.OsType;
import io.deskrun.protocol.PollRequest;
import io.deskrun.protocol.RunReport;
import io.deskrun.protocol.ScriptType;
import io.deskrun.protocol.TargetStatus;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Agent reports sent twice, late, out of order or all at once to the real server: the first final
 * report wins and nothing after it moves the target or changes its result.
 */
class ReportOrderTest {
  private final ObjectMapper json = new ObjectMapper();
  private final HttpClient http = HttpClient.newHttpClient();

  @TempDir Path dir;
  private LiveServer server;
  private String desktopId;
  private String credential;

  @BeforeEach
  void enroll() throws Exception {
    server = new LiveServer(dir);
    LiveServer.Activation activation = server.createActivation(1);
    EnrollRequest request =
        new EnrollRequest(
            activation.id(),
            activation.code(),
            LiveServer.REGION,
            "report-host",
            OsType.Linux,
            "test",
            List.of(ScriptType.RunShellScript));
    EnrollResponse enrolled =
        json.readValue(post(AgentProtocol.ENROLL_PATH, null, request).body(), EnrollResponse.class);
    desktopId = enrolled.desktopId();
    credential = enrolled.desktopId() + ":" + enrolled.agentToken();
    post(AgentProtocol.POLL_PATH, credential, new PollRequest(0, 0, null, null, null, List.of()));
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private HttpResponse<String> post(String path, String bearer, Object body) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(server.uri().resolve(path))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(json.writeValueAsBytes(body)));
    if (bearer != null) {
      request.header("Authorization", "Bearer " + bearer);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private int report(String invokeId, TargetStatus status, Long exitCode, String output)
      throws Exception {
    RunReport report = new RunReport(invokeId, status, exitCode, output, 0, null, null);
    return post(AgentProtocol.REPORT_PATH, credential, report).statusCode();
  }

  private static String row(DescribeInvocationsResponseBodyInvocationsInvokeDesktops target) {
    return target.getInvocationStatus()
        + " "
        + target.getExitCode()
        + " "
        + target.getOutput()
        + " "
        + target.getErrorCode()
        + " "
        + target.getFinishTime();
  }

  @Test
  void report_afterFinal_targetUnchanged() throws Exception {
    String invokeId = server.runCommand("echo x\n", 60, desktopId);

    assertThat(report(invokeId, TargetStatus.Success, 0L, "done\n")).isEqualTo(200);
    String settled = row(server.target(invokeId));
    assertThat(report(invokeId, TargetStatus.Running, null, "partial\n")).isEqualTo(200);
    assertThat(report(invokeId, TargetStatus.Success, 0L, "other\n")).isEqualTo(200);
    assertThat(report(invokeId, TargetStatus.Failed, 3L, "failed\n")).isEqualTo(200);
    assertThat(report(invokeId, TargetStatus.Error, null, "")).isEqualTo(200);

    assertThat(row(server.target(invokeId))).isEqualTo(settled).startsWith("Success 0 done\n");
  }

  @Test
  void report_repeated_movesOnce() throws Exception {
    String invokeId = server.runCommand("echo x\n", 60, desktopId);

    assertThat(report(invokeId, TargetStatus.Running, null, "a\n")).isEqualTo(200);
    String startTime = server.target(invokeId).getStartTime();
    assertThat(report(invokeId, TargetStatus.Running, null, "a\nb\n")).isEqualTo(200);
    assertThat(server.target(invokeId).getStartTime()).isEqualTo(startTime);
    assertThat(server.target(invokeId).getOutput()).isEqualTo("a\nb\n");

    assertThat(report(invokeId, TargetStatus.Failed, 2L, "a\nb\nc\n")).isEqualTo(200);
    assertThat(report(invokeId, TargetStatus.Failed, 2L, "a\nb\nc\n")).isEqualTo(200);
    assertThat(report(invokeId, TargetStatus.Running, null, "a\n")).isEqualTo(200);

    var target = server.target(invokeId);
    assertThat(target.getInvocationStatus()).isEqualTo("Failed");
    assertThat(target.getOutput()).isEqualTo("a\nb\nc\n");
    assertThat(target.getStartTime()).isEqualTo(startTime);
  }

  /** Twenty different final reports at once: exactly one of them is kept, whole. */
  @Test
  void report_concurrentDifferentFinals_oneWinsWhole() throws Exception {
    String invokeId = server.runCommand("echo x\n", 60, desktopId);
    List<Callable<Integer>> reports = new ArrayList<>();
    for (long code = 0; code < 20; code++) {
      long exitCode = code;
      TargetStatus status = code == 0 ? TargetStatus.Success : TargetStatus.Failed;
      reports.add(() -> report(invokeId, status, exitCode, "exit " + exitCode + "\n"));
    }

    try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
      for (Future<Integer> response : pool.invokeAll(reports)) {
        assertThat(response.get()).isEqualTo(200);
      }
    }

    var target = server.target(invokeId);
    assertThat(target.getOutput()).isEqualTo("exit " + target.getExitCode() + "\n");
    assertThat(target.getInvocationStatus())
        .isEqualTo(target.getExitCode() == 0 ? "Success" : "Failed");
  }
}
