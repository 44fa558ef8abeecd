package io.deskrun.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.aliyun.ecd20200930.models.DescribeInvocationsResponseBody.DescribeInvocationsResponseBodyInvocations;
import com.aliyun.ecd20200930.models.DescribeInvocationsResponseBody.DescribeInvocationsResponseBodyInvocationsInvokeDesktops;
import com.aliyun.ecd20200930.models.StopInvocationRequest;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.deskrun.agent.Agent;
import io.deskrun.protocol.AgentProtocol;
import io.deskrun.protocol.EnrollRequest;
import io.deskrun.protocol.OsType;
import io.deskrun.protocol.ScriptType;
import io.deskrun.server.DeskrunServer;
import io.deskrun.server.gateway.Signatures;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
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
  void signedRequest_replayedOnOtherServer_rejectedAsNonceUsed() throws Exception {
    Map<String, String> parameters = new TreeMap<>();
    parameters.put("Action", "DescribeInvocations");
    parameters.put("Version", "2020-09-30");
    parameters.put("Format", "JSON");
    parameters.put("AccessKeyId", cluster.accessKeyId());
    parameters.put("SignatureMethod", "HMAC-SHA1");
    parameters.put("SignatureVersion", "1.0");
    parameters.put("SignatureNonce", UUID.randomUUID().toString());
    parameters.put("Timestamp", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
    parameters.put("RegionId", Cluster.REGION);
    parameters.put("Signature", Signatures.v1("GET", parameters, cluster.accessKeySecret(), false));
    String query =
        parameters.entrySet().stream()
            .map(
                entry ->
                    Signatures.percentEncode(entry.getKey())
                        + "="
                        + Signatures.percentEncode(entry.getValue()))
            .collect(Collectors.joining("&"));

    HttpResponse<String> first = get(cluster.uri(A), query);
    HttpResponse<String> replay = get(cluster.uri(B), query);

    assertThat(first.statusCode()).isEqualTo(200);
    assertThat(replay.statusCode()).isEqualTo(400);
    assertThat(replay.body()).contains("SignatureNonceUsed");
  }

  private static HttpResponse<String> get(URI server, String query) throws Exception {
    HttpRequest request = HttpRequest.newBuilder(server.resolve("/?" + query)).GET().build();
    return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void enroll_racingOnBothServers_neverExceedsInstanceCount() throws Exception {
    Map<String, ?> activation =
        cluster.callAction(A, "CreateActivation", Map.of("InstanceCount", "3"));
    EnrollRequest enroll =
        new EnrollRequest(
            String.valueOf(activation.get("ActivationId")),
            String.valueOf(activation.get("ActivationCode")),
            Cluster.REGION,
            "race-host",
            OsType.Linux,
            "test",
            List.of(ScriptType.RunShellScript));
    byte[] body = new ObjectMapper().writeValueAsBytes(enroll);
    HttpClient http = HttpClient.newHttpClient();
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<Integer>> statuses = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        URI server = cluster.uri(i % 2 == 0 ? A : B).resolve(AgentProtocol.ENROLL_PATH);
        statuses.add(
            pool.submit(
                () ->
                    http.send(
                            HttpRequest.newBuilder(server)
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                                .build(),
                            HttpResponse.BodyHandlers.discarding())
                        .statusCode()));
      }
      int enrolled = 0;
      for (Future<Integer> status : statuses) {
        if (status.get(30, TimeUnit.SECONDS) == 200) {
          enrolled++;
        }
      }

      assertThat(enrolled).isEqualTo(3);
    } finally {
      pool.shutdownNow();
    }
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
