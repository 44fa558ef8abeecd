package io.deskrun.server.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.aliyun.ecd20200930.models.DescribeInvocationsResponseBody.DescribeInvocationsResponseBodyInvocationsInvokeDesktops;
import io.deskrun.agent.Agent;
import io.deskrun.agent.AgentConfig;
import io.deskrun.agent.AgentException;
import io.deskrun.agent.journal.Journal;
import io.deskrun.server.faults.LiveServer.Activation;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent against the real server in this JVM: enrollment, repeated offers, restarts, cut-short
 * runs, results sent again while the server is down, stops, busy slots and revoked credentials.
 */
@DisabledOnOs(OS.WINDOWS)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AgentAgainstServerTest {
  @TempDir Path dir;
  private Path stateDir;
  private Path workDir;
  private LiveServer server;
  private Activation activation;
  private Agent agent;

  @BeforeEach
  void startServer() throws Exception {
    stateDir = dir.resolve("agent");
    workDir = Files.createDirectories(dir.resolve("work"));
    server = new LiveServer(dir.resolve("server"));
    activation = server.createActivation(1);
  }

  @AfterEach
  void stopAll() {
    if (agent != null) {
      agent.close();
    }
    server.close();
  }

  private AgentConfig.Builder builder() {
    return AgentConfig.builder()
        .server(server.uri())
        .stateDir(stateDir)
        .workingDirectory(workDir)
        .hostname("test-host")
        .pollWaitSeconds(2)
        .shutdownGrace(Duration.ZERO);
  }

  private Agent startEnrolled() {
    agent = Agent.start(builder().activation(activation.id(), activation.code()).build());
    return agent;
  }

  private Agent restart() {
    agent.close();
    agent = Agent.start(builder().build());
    return agent;
  }

  private List<String> lines(String file) throws Exception {
    Path path = workDir.resolve(file);
    return Files.exists(path) ? Files.readAllLines(path) : List.of();
  }

  @Test
  void start_newStateDir_enrollsAndStoresIdentity() throws Exception {
    String desktopId = startEnrolled().desktopId();

    Map<String, ?> desktops = server.call("DescribeDesktops", Map.of("DesktopId.1", desktopId));
    assertThat(String.valueOf(desktops)).contains("test-host").contains(desktopId);
    Path identity = stateDir.resolve("identity.json");
    assertThat(Files.readString(identity)).contains(desktopId).contains("agentToken");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(identity)))
        .isEqualTo("rw-------");
  }

  @Test
  void start_enrolledBefore_keepsDesktop() throws Exception {
    String desktopId = startEnrolled().desktopId();

    assertThat(restart().desktopId()).isEqualTo(desktopId);
    String invokeId = server.runCommand("echo back\n", 10, desktopId);
    assertThat(server.awaitFinal(invokeId).getOutput()).isEqualTo("back\n");
  }

  @Test
  void start_wrongActivationCode_serverCodeInMessage() {
    AgentConfig config = builder().activation(activation.id(), "0000-wrong").build();

    assertThatThrownBy(() -> Agent.start(config))
        .isInstanceOf(AgentException.class)
        .hasMessageContaining("InvalidActivation.NotFound");
    assertThat(stateDir.resolve("identity.json")).doesNotExist();
  }

  @Test
  void start_serverStopped_agentExceptionNamingServer() {
    server.stop();
    AgentConfig config = builder().activation(activation.id(), activation.code()).build();

    assertThatThrownBy(() -> Agent.start(config))
        .isInstanceOf(AgentException.class)
        .hasMessageContaining("enrollment at " + server.uri() + " failed");
  }

  @Test
  void start_firstOfTwoServersDown_enrollsAtOtherAndRuns() throws Exception {
    URI down = URI.create("http://127.0.0.1:" + closedPort());
    Activation several = server.createActivation(4);
    List<Agent> agents = new ArrayList<>();
    try {
      // Each agent starts on a random one of its servers, so four agents all but surely include
      // one that tries the stopped server first and has to move on.
      for (int i = 0; i < 4; i++) {
        AgentConfig config =
            builder()
                .servers(List.of(down, server.uri()))
                .stateDir(dir.resolve("agent-of-two-" + i))
                .activation(several.id(), several.code())
                .build();
        agents.add(Agent.start(config));
      }

      for (Agent each : agents) {
        assertThat(each.currentServer()).isEqualTo(server.uri());
        String invokeId = server.runCommand("echo via-second\n", 10, each.desktopId());
        assertThat(server.awaitFinal(invokeId).getOutput()).isEqualTo("via-second\n");
      }
    } finally {
      agents.forEach(Agent::close);
    }
  }

  /** Returns a loopback port that nothing listens on (bound, then closed). */
  private static int closedPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  @Test
  void runCommand_shellScript_successWithOutput() throws Exception {
    String desktopId = startEnrolled().desktopId();

    String invokeId = server.runCommand("echo hi\n", 10, desktopId);

    DescribeInvocationsResponseBodyInvocationsInvokeDesktops target = server.awaitFinal(invokeId);
    assertThat(target.getInvocationStatus()).isEqualTo("Success");
    assertThat(target.getOutput()).isEqualTo("hi\n");
  }

  /**
   * Offers a finished run again, as the server does when the start report is lost. Here the test
   * puts the row back to undelivered Pending and restarts the server, which otherwise trusts its
   * memory of what each desktop has to hand out for up to a minute. The agent's journal keeps the
   * run from starting twice, also after the agent restarts.
   */
  @Test
  void offer_runAlreadyInJournal_notLaunchedAgain() throws Exception {
    String desktopId = startEnrolled().desktopId();
    String invokeId = server.runCommand("echo x >> runs.txt\n", 10, desktopId);
    server.awaitFinal(invokeId);

    markUndelivered(invokeId);
    server.stop();
    server.start();
    LiveServer.await(() -> deliveredAgain(invokeId), "the run to be offered again");
    restart();
    markUndelivered(invokeId);
    server.stop();
    server.start();
    LiveServer.await(() -> deliveredAgain(invokeId), "the offer after the restart");
    server.stopInvocation(invokeId);

    assertThat(lines("runs.txt")).containsExactly("x");
  }

  /** The journal shows a run started but not ended, so the agent stopped in the middle of it. */
  @Test
  void start_runCutShort_reportedInterrupted() throws Exception {
    String desktopId = startEnrolled().desktopId();
    agent.close();
    String invokeId = server.runCommand("echo x >> cut.txt\n", 10, desktopId);
    try (Journal journal = openJournal()) {
      journal.tryStart(invokeId);
    }

    agent = Agent.start(builder().build());

    DescribeInvocationsResponseBodyInvocationsInvokeDesktops target = server.awaitFinal(invokeId);
    assertThat(target.getInvocationStatus()).isEqualTo("Error");
    assertThat(target.getErrorCode()).isEqualTo("ExecutionInterrupted");
    assertThat(lines("cut.txt")).isEmpty();
  }

  /** A script the killed agent left running is killed with its children at the next start. */
  @Test
  void start_leftoverScript_treeKilled() throws Exception {
    String desktopId = startEnrolled().desktopId();
    agent.close();
    String invokeId = server.runCommand("sleep 30\n", 60, desktopId);
    Process leftover =
        new ProcessBuilder("/usr/bin/setsid", "/bin/sh", "-c", "sleep 30 & sleep 31").start();
    LiveServer.await(() -> leftover.children().count() >= 1, "the shell to start its children");
    ProcessHandle child = leftover.children().findFirst().orElseThrow();
    try (Journal journal = openJournal()) {
      journal.tryStart(invokeId);
      long start = leftover.toHandle().info().startInstant().orElseThrow().toEpochMilli();
      journal.recordProcess(invokeId, leftover.pid(), start);
    }

    try {
      agent = Agent.start(builder().build());

      assertThat(leftover.waitFor(10, TimeUnit.SECONDS)).isTrue();
      LiveServer.await(() -> !child.isAlive(), "the background sleep to be killed");
      assertThat(server.awaitFinal(invokeId).getErrorCode()).isEqualTo("ExecutionInterrupted");
    } finally {
      leftover.destroyForcibly();
      child.destroyForcibly();
    }
  }

  /** The result of a run that ends while the server is down is kept and sent once it is back. */
  @Test
  void report_serverDown_resentAfterRestart() throws Exception {
    String desktopId = startEnrolled().desktopId();
    String invokeId = server.runCommand("echo x >> sent.txt; sleep 2; exit 4\n", 30, desktopId);
    LiveServer.await(() -> "Running".equals(server.statusQuietly(invokeId)), "the start report");

    server.stop();
    LiveServer.await(() -> agentJournalHasResult(), "the result to be stored on disk");
    server.start();

    DescribeInvocationsResponseBodyInvocationsInvokeDesktops target = server.awaitFinal(invokeId);
    assertThat(target.getInvocationStatus()).isEqualTo("Failed");
    assertThat(target.getExitCode()).isEqualTo(4L);
    assertThat(lines("sent.txt")).containsExactly("x");
  }

  @Test
  void poll_serverDownAndBack_resumesAndRuns() throws Exception {
    String desktopId = startEnrolled().desktopId();
    server.stop();
    Thread.sleep(1_500);
    server.start();

    String invokeId = server.runCommand("echo back\n", 10, desktopId);

    assertThat(server.awaitFinal(invokeId).getOutput()).isEqualTo("back\n");
  }

  @Test
  void stopInvocation_runningScript_terminated() throws Exception {
    String desktopId = startEnrolled().desktopId();
    String invokeId = server.runCommand("sleep 30\n", 60, desktopId);
    LiveServer.await(() -> "Running".equals(server.statusQuietly(invokeId)), "the start report");

    server.stopInvocation(invokeId);

    assertThat(server.awaitFinal(invokeId).getInvocationStatus()).isEqualTo("Terminated");
  }

  /** With its one slot busy the agent takes no more work; the second run starts after the first. */
  @Test
  void poll_allSlotsBusy_nextRunWaits() throws Exception {
    agent =
        Agent.start(
            builder().activation(activation.id(), activation.code()).maxConcurrentRuns(1).build());
    String desktopId = agent.desktopId();
    String first = server.runCommand("sleep 3; echo first\n", 30, desktopId);
    LiveServer.await(() -> "Running".equals(server.statusQuietly(first)), "the first run");

    String second = server.runCommand("echo second\n", 30, desktopId);
    Thread.sleep(1_000);

    assertThat(server.status(second)).isEqualTo("Pending");
    assertThat(server.awaitFinal(first).getOutput()).isEqualTo("first\n");
    assertThat(server.awaitFinal(second).getOutput()).isEqualTo("second\n");
  }

  @Test
  void close_duringHeldPoll_returnsPromptly() throws Exception {
    agent =
        Agent.start(
            builder().activation(activation.id(), activation.code()).pollWaitSeconds(25).build());
    server.runCommand("echo warm\n", 10, agent.desktopId());
    Thread.sleep(1_000);

    long start = System.nanoTime();
    agent.close();

    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
  }

  /**
   * Deregistering the desktop revokes its credential: the agent stops by itself and reports why, a
   * restart on the same identity stops again, and enrolling again needs a fresh activation.
   */
  @Test
  void poll_credentialRevoked_agentStops() throws Exception {
    String desktopId = startEnrolled().desktopId();

    server.call("DeregisterDesktop", Map.of("DesktopId", desktopId));

    assertThat(awaitStop(agent)).isTrue();
    assertThat(agent.stoppedByRevokedCredential()).isTrue();
    agent = Agent.start(builder().build());
    assertThat(awaitStop(agent)).isTrue();
    assertThat(agent.stoppedByRevokedCredential()).isTrue();

    Files.delete(agent.identityFile());
    AgentConfig usedUp = builder().activation(activation.id(), activation.code()).build();
    assertThatThrownBy(() -> Agent.start(usedUp))
        .isInstanceOf(AgentException.class)
        .hasMessageContaining("InvalidActivation.CountExceeded");
    Activation fresh = server.createActivation(1);
    agent = Agent.start(builder().activation(fresh.id(), fresh.code()).build());
    assertThat(agent.desktopId()).isNotEqualTo(desktopId);
  }

  private static boolean awaitStop(Agent agent) throws InterruptedException {
    Thread waiter =
        Thread.ofVirtual()
            .start(
                () -> {
                  try {
                    agent.awaitTermination();
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                });
    waiter.join(Duration.ofSeconds(20));
    return !waiter.isAlive();
  }

  private Journal openJournal() throws Exception {
    return Journal.open(
        stateDir.resolve("journal"), InstantSource.system(), Duration.ofDays(1), 100);
  }

  private boolean agentJournalHasResult() {
    try (var files = Files.list(stateDir.resolve("journal").resolve("results"))) {
      return files.findAny().isPresent();
    } catch (Exception e) {
      return false;
    }
  }

  private Connection database() throws Exception {
    return DriverManager.getConnection(
        server.config().databaseUrl(),
        server.config().databaseUser(),
        server.config().databasePassword());
  }

  private void markUndelivered(String invokeId) throws Exception {
    try (Connection connection = database();
        PreparedStatement update =
            connection.prepareStatement(
                "UPDATE targets SET status = 'Pending', delivered_at = NULL,"
                    + " finish_time = NULL WHERE invoke_id = ?")) {
      update.setString(1, invokeId);
      assertThat(update.executeUpdate()).isEqualTo(1);
    }
  }

  private boolean deliveredAgain(String invokeId) {
    try (Connection connection = database();
        PreparedStatement query =
            connection.prepareStatement("SELECT delivered_at FROM targets WHERE invoke_id = ?")) {
      query.setString(1, invokeId);
      try (ResultSet rows = query.executeQuery()) {
        return rows.next() && rows.getObject(1) != null;
      }
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
