package io.deskrun.server.faults;

import static org.assertj.core.api.Assertions.assertThat;

import com.aliyun.ecd20200930.models.DescribeInvocationsResponseBody.DescribeInvocationsResponseBodyInvocationsInvokeDesktops;
import io.deskrun.agent.Agent;
import io.deskrun.agent.AgentConfig;
import io.deskrun.protocol.RunReport;
import io.deskrun.protocol.TargetStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reports a real agent sends to the real server, seen between the two: a run that ends within
 * the agent's start delay sends its final report alone, a longer one its Running report first.
 */
@DisabledOnOs(OS.WINDOWS)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ReportTrafficTest {
  @TempDir Path dir;
  private LiveServer server;
  private RecordingProxy proxy;
  private Agent agent;

  @BeforeEach
  void start() throws Exception {
    server = new LiveServer(dir.resolve("server"));
    proxy = RecordingProxy.start(server.uri());
    LiveServer.Activation activation = server.createActivation(1);
    agent =
        Agent.start(
            AgentConfig.builder()
                .server(proxy.uri())
                .stateDir(dir.resolve("agent"))
                .workingDirectory(Files.createDirectories(dir.resolve("work")))
                .hostname("traffic-host")
                .pollWaitSeconds(2)
                .shutdownGrace(Duration.ZERO)
                .activation(activation.id(), activation.code())
                .build());
  }

  @AfterEach
  void stop() {
    if (agent != null) {
      agent.close();
    }
    if (proxy != null) {
      proxy.close();
    }
    server.close();
  }

  @Test
  void runCommand_echo_finalReportOnly() throws Exception {
    String invokeId = server.runCommand("echo hi\n", 10, agent.desktopId());

    DescribeInvocationsResponseBodyInvocationsInvokeDesktops target = server.awaitFinal(invokeId);

    assertThat(target.getInvocationStatus()).isEqualTo("Success");
    assertThat(target.getOutput()).isEqualTo("hi\n");
    assertThat(target.getStartTime()).isNotBlank();
    List<RunReport> reports = proxy.reports(invokeId);
    assertThat(reports).extracting(RunReport::status).containsExactly(TargetStatus.Success);
    assertThat(reports.getFirst().output()).isEqualTo("hi\n");
  }

  @Test
  void runCommand_sleepThenEcho_runningThenFinal() throws Exception {
    String invokeId = server.runCommand("sleep 1; echo done\n", 10, agent.desktopId());

    DescribeInvocationsResponseBodyInvocationsInvokeDesktops target = server.awaitFinal(invokeId);

    assertThat(target.getInvocationStatus()).isEqualTo("Success");
    assertThat(target.getOutput()).isEqualTo("done\n");
    List<RunReport> reports = proxy.reports(invokeId);
    assertThat(reports).hasSizeGreaterThanOrEqualTo(2);
    assertThat(reports.getFirst().status()).isEqualTo(TargetStatus.Running);
    assertThat(reports.getFirst().output()).isEmpty();
    // Every report before the last is Running, so none was sent after the final one.
    assertThat(reports.subList(0, reports.size() - 1))
        .allMatch(report -> report.status() == TargetStatus.Running);
    assertThat(reports.getLast().status()).isEqualTo(TargetStatus.Success);
  }
}
