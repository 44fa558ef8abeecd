package io.deskrun.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.deskrun.agent.journal.Journal;
import io.deskrun.protocol.ErrorCodes;
import io.deskrun.protocol.OsType;
import io.deskrun.protocol.RunReport;
import io.deskrun.protocol.ScriptType;
import io.deskrun.protocol.TargetStatus;
import io.deskrun.protocol.Task;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 20, unit = TimeUnit.SECONDS)
class AgentTest {
  @TempDir Path stateDir;
  @TempDir Path workDir;
  ProtocolServer server;

  @BeforeEach
  void startServer() throws IOException {
    server = new ProtocolServer();
  }

  @AfterEach
  void stopServer() {
    server.close();
  }

  @Test
  void start_newStateDir_enrollsAndStoresIdentity() throws IOException {
    try (Agent agent = Agent.start(config(ProtocolServer.ACTIVATION_CODE))) {
      assertThat(agent.desktopId()).isEqualTo(ProtocolServer.DESKTOP_ID);
    }

    assertThat(server.enrollRequests).hasSize(1);
    var request = server.enrollRequests.getFirst();
    assertThat(request.activationId()).isEqualTo("act-1");
    assertThat(request.regionId()).isEqualTo("cn-hangzhou");
    assertThat(request.hostname()).isEqualTo("test-host");
    assertThat(request.osType()).isEqualTo(OsType.current());
    assertThat(request.scriptTypes()).contains(ScriptType.RunShellScript);
    Path identity = stateDir.resolve("identity.json");
    assertThat(Files.readString(identity)).contains(ProtocolServer.TOKEN);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(identity)))
        .isEqualTo("rw-------");
  }

  @Test
  void start_enrolledBefore_doesNotEnrollAgain() {
    Agent.start(config(ProtocolServer.ACTIVATION_CODE)).close();

    try (Agent agent = Agent.start(configWithoutActivation())) {
      assertThat(agent.desktopId()).isEqualTo(ProtocolServer.DESKTOP_ID);
    }
    assertThat(server.enrollRequests).hasSize(1);
  }

  @Test
  void start_rejectedActivation_serverCodeRaised() {
    assertThatThrownBy(() -> Agent.start(config("wrong")))
        .isInstanceOf(AgentException.class)
        .hasMessageContaining("InvalidActivationCode")
        .hasMessageContaining("activation code is not valid");
    assertThat(stateDir.resolve("identity.json")).doesNotExist();
  }

  @Test
  void start_serverUnreachable_agentExceptionNamingServer() {
    AgentConfig config = config(ProtocolServer.ACTIVATION_CODE);
    server.close();

    assertThatThrownBy(() -> Agent.start(config))
        .isInstanceOf(AgentException.class)
        .hasMessageContaining("enrollment at " + server.uri() + " failed");
  }

  @Test
  void start_noIdentityNoActivation_agentException() {
    assertThatThrownBy(() -> Agent.start(configWithoutActivation()))
        .isInstanceOf(AgentException.class)
        .hasMessageContaining("activation id and code");
  }

  @Test
  void poll_task_runsAndReportsResult() {
    Agent agent = Agent.start(config(ProtocolServer.ACTIVATION_CODE));
    try {
      server.tasks.add(new Task("t-run", ScriptType.RunShellScript, "echo hi\n", 10));

      RunReport result = awaitFinalReport("t-run");

      assertThat(result.status()).isEqualTo(TargetStatus.Success);
      assertThat(result.output()).isEqualTo("hi\n");
      assertThat(server.reportsOf("t-run").getFirst().status()).isEqualTo(TargetStatus.Running);
    } finally {
      agent.close();
    }
  }

  @Test
  void poll_taskOfferedTwice_runsOnce() throws IOException {
    Path marker = workDir.resolve("runs.log");
    Task task = new Task("t-once", ScriptType.RunShellScript, "echo x >> runs.log\n", 10);
    Agent agent = Agent.start(config(ProtocolServer.ACTIVATION_CODE));
    try {
      server.tasks.add(task);
      awaitFinalReport("t-once");

      server.tasks.add(task);
      await(() -> server.tasks.isEmpty(), "the second offer to be taken");
      awaitPolls(2);
    } finally {
      agent.close();
    }

    Agent restarted = Agent.start(configWithoutActivation());
    try {
      server.tasks.add(task);
      await(() -> server.tasks.isEmpty(), "the offer after a restart to be taken");
      awaitPolls(2);
    } finally {
      restarted.close();
    }
    assertThat(Files.readAllLines(marker)).containsExactly("x");
  }

  @Test
  void start_runCutShortBeforeRestart_reportedInterrupted() throws IOException {
    Agent.start(config(ProtocolServer.ACTIVATION_CODE)).close();
    try (Journal journal =
        Journal.open(stateDir.resolve("journal"), InstantSource.system(), Duration.ofDays(1), 10)) {
      journal.tryStart("t-cut");
    }

    Agent agent = Agent.start(configWithoutActivation());
    try {
      RunReport result = awaitFinalReport("t-cut");

      assertThat(result.status()).isEqualTo(TargetStatus.Error);
      assertThat(result.errorCode()).isEqualTo(ErrorCodes.EXECUTION_INTERRUPTED);
    } finally {
      agent.close();
    }
  }

  @Test
  void start_scriptLeftByKilledAgent_killedAndReported() throws Exception {
    Agent.start(config(ProtocolServer.ACTIVATION_CODE)).close();
    Process leftover =
        new ProcessBuilder("/usr/bin/setsid", "/bin/sh", "-c", "sleep 30 & sleep 31").start();
    ProcessHandle child = awaitChild(leftover);
    try (Journal journal =
        Journal.open(stateDir.resolve("journal"), InstantSource.system(), Duration.ofDays(1), 10)) {
      journal.tryStart("t-left");
      long start = leftover.toHandle().info().startInstant().orElseThrow().toEpochMilli();
      journal.recordProcess("t-left", leftover.pid(), start);
    }

    Agent agent = Agent.start(configWithoutActivation());
    try {
      assertThat(leftover.waitFor(5, TimeUnit.SECONDS)).isTrue();
      await(() -> !child.isAlive(), "the background sleep to be killed");
      assertThat(awaitFinalReport("t-left").errorCode())
          .isEqualTo(ErrorCodes.EXECUTION_INTERRUPTED);
    } finally {
      agent.close();
      leftover.destroyForcibly();
      child.destroyForcibly();
    }
  }

  @Test
  void report_serverUnavailable_resentUntilAccepted() {
    server.reportsToFail.set(2);
    Agent agent = Agent.start(config(ProtocolServer.ACTIVATION_CODE));
    try {
      server.tasks.add(new Task("t-retry", ScriptType.RunShellScript, "exit 4\n", 10));

      RunReport result = awaitFinalReport("t-retry");

      assertThat(result.status()).isEqualTo(TargetStatus.Failed);
      assertThat(result.exitCode()).isEqualTo(4L);
      assertThat(server.reportsToFail.get()).isNegative();
    } finally {
      agent.close();
    }
  }

  @Test
  void poll_serverDownAndBack_resumesAndRuns() throws IOException {
    Agent agent = Agent.start(config(ProtocolServer.ACTIVATION_CODE));
    try {
      await(() -> !server.pollRequests.isEmpty(), "the first poll");
      int port = server.port();
      server.close();

      server = new ProtocolServer(port);
      server.tasks.add(new Task("t-back", ScriptType.RunShellScript, "echo back\n", 10));

      assertThat(awaitFinalReport("t-back").output()).isEqualTo("back\n");
    } finally {
      agent.close();
    }
  }

  @Test
  void poll_serverInUseStops_movesToOtherServerAndRuns() throws IOException {
    try (ProtocolServer other = new ProtocolServer()) {
      Agent agent =
          Agent.start(
              builder()
                  .servers(List.of(server.uri(), other.uri()))
                  .activation("act-1", ProtocolServer.ACTIVATION_CODE)
                  .build());
      try {
        await(
            () -> !server.pollRequests.isEmpty() || !other.pollRequests.isEmpty(),
            "the first poll");
        ProtocolServer inUse = server.pollRequests.isEmpty() ? other : server;
        ProtocolServer remaining = inUse == server ? other : server;
        inUse.close();

        remaining.tasks.add(new Task("t-moved", ScriptType.RunShellScript, "echo moved\n", 10));

        await(
            () -> remaining.reportsOf("t-moved").stream().anyMatch(r -> r.status().isFinal()),
            "the result on the other server");
        assertThat(remaining.reportsOf("t-moved").getLast().output()).isEqualTo("moved\n");
      } finally {
        agent.close();
      }
    }
  }

  @Test
  void start_onlyOneOfTwoServersUp_enrollsAtIt() {
    AgentConfig config =
        builder()
            .servers(List.of(URI.create("http://127.0.0.1:1"), server.uri()))
            .activation("act-1", ProtocolServer.ACTIVATION_CODE)
            .build();

    try (Agent agent = Agent.start(config)) {
      assertThat(agent.desktopId()).isEqualTo(ProtocolServer.DESKTOP_ID);
      assertThat(server.enrollRequests).hasSize(1);
    }
  }

  @Test
  void poll_stopRequest_runTerminated() {
    Agent agent = Agent.start(config(ProtocolServer.ACTIVATION_CODE));
    try {
      server.tasks.add(new Task("t-stop", ScriptType.RunShellScript, "sleep 30\n", 60));
      await(() -> !server.reportsOf("t-stop").isEmpty(), "the run to start");

      server.stops.add("t-stop");

      assertThat(awaitFinalReport("t-stop").status()).isEqualTo(TargetStatus.Terminated);
    } finally {
      agent.close();
    }
  }

  @Test
  void poll_allSlotsBusy_noFreeSlots() {
    AgentConfig config =
        builder().activation("act-1", ProtocolServer.ACTIVATION_CODE).maxConcurrentRuns(1).build();
    Agent agent = Agent.start(config);
    try {
      server.tasks.add(new Task("t-busy", ScriptType.RunShellScript, "sleep 30\n", 60));

      await(
          () ->
              server.pollRequests.stream()
                  .anyMatch(p -> p.freeSlots() == 0 && p.runningInvokeIds().contains("t-busy")),
          "a poll with no free slot");
      assertThat(server.pollRequests.getFirst().freeSlots()).isEqualTo(1);
    } finally {
      agent.close();
    }
    RunReport result = awaitFinalReport("t-busy");
    assertThat(result.status()).isEqualTo(TargetStatus.Error);
    assertThat(result.errorCode()).isEqualTo(ErrorCodes.EXECUTION_INTERRUPTED);
  }

  @Test
  void close_duringHeldPoll_returnsPromptly() {
    server.maxHoldSeconds.set(30);
    AgentConfig config =
        builder().activation("act-1", ProtocolServer.ACTIVATION_CODE).pollWaitSeconds(30).build();
    Agent agent = Agent.start(config);
    await(() -> !server.pollRequests.isEmpty(), "the first poll");

    long start = System.nanoTime();
    agent.close();

    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
  }

  @Test
  void poll_credentialRevoked_agentStops() throws InterruptedException {
    Agent agent = Agent.start(config(ProtocolServer.ACTIVATION_CODE));
    Thread waiter = Thread.ofVirtual().start(() -> awaitTerminationQuietly(agent));

    server.revoked.set(true);

    waiter.join(Duration.ofSeconds(10));
    assertThat(waiter.isAlive()).isFalse();
  }

  private RunReport awaitFinalReport(String invokeId) {
    await(
        () -> server.reportsOf(invokeId).stream().anyMatch(r -> r.status().isFinal()),
        "a final report of " + invokeId);
    List<RunReport> reports = server.reportsOf(invokeId);
    return reports.stream().filter(r -> r.status().isFinal()).findFirst().orElseThrow();
  }

  private static ProcessHandle awaitChild(Process process) {
    await(() -> process.children().count() >= 1, "the shell to start its children");
    return process.children().findFirst().orElseThrow();
  }

  private void awaitPolls(int count) {
    int target = server.pollRequests.size() + count;
    await(() -> server.pollRequests.size() >= target, count + " more polls");
  }

  private static void await(BooleanSupplier condition, String what) {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after 10 s waiting for " + what);
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted waiting for " + what, e);
      }
    }
  }

  private static void awaitTerminationQuietly(Agent agent) {
    try {
      agent.awaitTermination();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private AgentConfig config(String activationCode) {
    return builder().activation("act-1", activationCode).build();
  }

  private AgentConfig configWithoutActivation() {
    return builder().build();
  }

  private AgentConfig.Builder builder() {
    return AgentConfig.builder()
        .server(server.uri())
        .stateDir(stateDir)
        .workingDirectory(workDir)
        .hostname("test-host")
        .pollWaitSeconds(1);
  }
}
