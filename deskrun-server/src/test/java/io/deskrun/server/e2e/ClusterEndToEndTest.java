package io.deskrun.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.aliyun.ecd20200930.models.DescribeInvocationsResponseBody.DescribeInvocationsResponseBodyInvocations;
import com.aliyun.ecd20200930.models.DescribeInvocationsResponseBody.DescribeInvocationsResponseBodyInvocationsInvokeDesktops;
import com.aliyun.ecd20200930.models.StopInvocationRequest;
import io.deskrun.agent.Agent;
import io.deskrun.server.DeskrunServer;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two real servers on one real PostgreSQL, with real agents polling one or the other, and the
 * official SDK calling either: work and stop requests accepted by one server reach agents held by
 * the other, and agents move to a surviving server when theirs stops.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClusterEndToEndTest {
  private static final Duration LIMIT = Duration.ofSeconds(30);
  private static final int A = 0;
  private static final int B = 1;

  @TempDir static Path dir;
  private Cluster cluster;
  private Agent onA;
  private Agent onB;

  @BeforeAll
  void startCluster() throws Exception {
    cluster = Cluster.start(dir.resolve("pair"), 2);
    onA = cluster.startAgent(A);
    onB = cluster.startAgent(B);
  }

  @AfterAll
  void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void runCommand_throughA_reachesAgentPollingB() throws Exception {
    String invokeId = cluster.run(A, "echo \"on $DESKRUN_DESKTOP_ID\"\n", List.of(onB.desktopId()));

    DescribeInvocationsResponseBodyInvocations done = cluster.awaitFinal(B, invokeId, LIMIT);

    assertThat(done.getInvocationStatus()).isEqualTo("Success");
    assertThat(done.getInvokeDesktops().get(0).getOutput())
        .isEqualTo("on " + onB.desktopId() + "\n");
  }

  @Test
  void runCommand_bothAgents_eachServerSeesTheSameResult() throws Exception {
    String invokeId = cluster.run(B, "echo both\n", List.of(onA.desktopId(), onB.desktopId()));

    DescribeInvocationsResponseBodyInvocations throughA = cluster.awaitFinal(A, invokeId, LIMIT);
    DescribeInvocationsResponseBodyInvocations throughB = cluster.describe(B, invokeId);

    assertThat(throughA.getInvocationStatus()).isEqualTo("Success");
    assertThat(throughA.getInvokeDesktopSucceedCount()).isEqualTo(2);
    assertThat(throughB.getInvocationStatus()).isEqualTo("Success");
    assertThat(throughB.getInvokeDesktopSucceedCount()).isEqualTo(2);
  }

  @Test
  void stopInvocation_throughB_stopsRunDeliveredByA() throws Exception {
    String invokeId = cluster.run(A, "echo started\nsleep 30\n", List.of(onA.desktopId()));
    cluster.awaitStarted(A, invokeId, 1, LIMIT);

    cluster
        .client(B)
        .stopInvocation(
            new StopInvocationRequest().setRegionId(Cluster.REGION).setInvokeId(invokeId));
    DescribeInvocationsResponseBodyInvocations done = cluster.awaitFinal(B, invokeId, LIMIT);

    assertThat(done.getInvocationStatus()).isEqualTo("Stopped");
    assertThat(done.getInvokeDesktops().get(0).getInvocationStatus()).isEqualTo("Terminated");
  }

  @Test
  void start_otherMasterKey_failsNamingSetting() {
    byte[] otherKey = new byte[32];
    String other = Base64.getEncoder().encodeToString(otherKey);

    assertThatThrownBy(
            () -> DeskrunServer.start(cluster.serverConfig(2).withMasterKey(other)).close())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("master key of this server is not the key")
        .hasMessageContaining("does not start")
        .hasMessageContaining("master-key setting");
  }

  @Test
  void stopServer_midFanOut_agentsMoveToSurvivorAndAllSucceed() throws Exception {
    try (Cluster trio = Cluster.start(dir.resolve("trio"), 3)) {
      List<Agent> agents = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        agents.add(trio.startAgent(0, 1, 2));
      }
      int doomed = busiestServer(trio, agents);
      int survivor = (doomed + 1) % 3;
      List<String> desktops = agents.stream().map(Agent::desktopId).toList();

      String invokeId =
          trio.run(survivor, "sleep 1\necho \"done $DESKRUN_DESKTOP_ID\"\n", desktops);
      trio.awaitStarted(survivor, invokeId, 1, LIMIT);
      trio.stopServer(doomed);
      DescribeInvocationsResponseBodyInvocations done = trio.awaitFinal(survivor, invokeId, LIMIT);

      assertThat(done.getInvocationStatus()).isEqualTo("Success");
      assertThat(done.getInvokeDesktopSucceedCount()).isEqualTo(6);
      for (DescribeInvocationsResponseBodyInvocationsInvokeDesktops desktop :
          done.getInvokeDesktops()) {
        assertThat(desktop.getOutput()).isEqualTo("done " + desktop.getDesktopId() + "\n");
      }
      URI stopped = trio.uri(doomed);
      assertThat(agents).noneMatch(agent -> agent.currentServer().equals(stopped));
    }
  }

  @Test
  void killServerProcess_midFanOut_nothingLostAndAgentsMove() throws Exception {
    try (Cluster processes = Cluster.start(dir.resolve("processes"), 1)) {
      int first = processes.startServerProcess();
      int second = processes.startServerProcess();
      List<Agent> agents = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        agents.add(processes.startAgent(first, second));
      }
      int doomed = busiestServer(processes, agents, List.of(first, second));
      List<String> desktops = agents.stream().map(Agent::desktopId).toList();

      String invokeId = processes.run(0, "sleep 1\necho \"done $DESKRUN_DESKTOP_ID\"\n", desktops);
      processes.awaitStarted(0, invokeId, 1, LIMIT);
      processes.killServerProcess(doomed);
      DescribeInvocationsResponseBodyInvocations done = processes.awaitFinal(0, invokeId, LIMIT);

      assertThat(done.getInvocationStatus()).isEqualTo("Success");
      assertThat(done.getInvokeDesktopSucceedCount()).isEqualTo(6);
      URI killed = processes.uri(doomed);
      assertThat(agents).noneMatch(agent -> agent.currentServer().equals(killed));
    }
  }

  /** Returns the server most agents talk to (at least two of six, by pigeonhole). */
  private static int busiestServer(Cluster cluster, List<Agent> agents) {
    return busiestServer(cluster, agents, List.of(0, 1, 2));
  }

  private static int busiestServer(Cluster cluster, List<Agent> agents, List<Integer> indexes) {
    int busiest = indexes.getFirst();
    long most = -1;
    for (int i : indexes) {
      URI uri = cluster.uri(i);
      long count = agents.stream().filter(agent -> agent.currentServer().equals(uri)).count();
      if (count > most) {
        most = count;
        busiest = i;
      }
    }
    return busiest;
  }
}
