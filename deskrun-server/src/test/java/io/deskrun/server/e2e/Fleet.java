package io.deskrun.server.e2e;

import com.aliyun.ecd20200930.Client;
import com.aliyun.ecd20200930.models.DescribeInvocationsRequest;
import com.aliyun.ecd20200930.models.DescribeInvocationsResponseBody.DescribeInvocationsResponseBodyInvocations;
import com.aliyun.teaopenapi.models.Config;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.deskrun.agent.Agent;
import io.deskrun.agent.AgentConfig;
import io.deskrun.server.DeskrunServer;
import io.deskrun.server.ServerConfig;
import io.deskrun.server.storage.TestPostgres;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * A real server on port 0 with real agents on this machine, and the official SDK as the client.
 * Closing it stops the agents, then the server.
 */
final class Fleet implements AutoCloseable {
  static final String REGION = "cn-hangzhou";
  private static final Set<String> RUNNING = Set.of("Pending", "Running", "Stopping");

  private final DeskrunServer server;
  private final List<Agent> agents = new ArrayList<>();
  private final String accessKeyId;
  private final String accessKeySecret;
  private Client describer;

  private Fleet(DeskrunServer server, JsonNode credentials) {
    this.server = server;
    this.accessKeyId = credentials.get("AccessKeyId").asText();
    this.accessKeySecret = credentials.get("AccessKeySecret").asText();
  }

  /**
   * Starts a server in {@code dir} and enrolls {@code agentCount} agents with their own state dirs.
   */
  static Fleet start(Path dir, int agentCount) throws Exception {
    return start(dir, agentCount, config -> config);
  }

  /** Starts a server on a fresh database of the test PostgreSQL, with {@code agentCount} agents. */
  static Fleet startOnPostgres(Path dir, int agentCount) throws Exception {
    String url = TestPostgres.newDatabaseUrl();
    return start(
        dir,
        agentCount,
        config -> config.withDatabaseUrl(url).withDatabaseCredentials(TestPostgres.USER, ""));
  }

  /**
   * Like {@link #start(Path, int)}, with the server's configuration changed by {@code customize}.
   */
  static Fleet start(Path dir, int agentCount, UnaryOperator<ServerConfig> customize)
      throws Exception {
    DeskrunServer server =
        DeskrunServer.start(customize.apply(ServerConfig.forDataDir(dir.resolve("server"))));
    JsonNode credentials = new ObjectMapper().readTree(server.bootstrapCredentialsFile().toFile());
    Fleet fleet = new Fleet(server, credentials);
    try {
      Map<String, ?> activation =
          fleet.callAction("CreateActivation", Map.of("InstanceCount", "10"));
      for (int i = 0; i < agentCount; i++) {
        fleet.startAgent(
            dir.resolve("agent-" + i),
            String.valueOf(activation.get("ActivationId")),
            String.valueOf(activation.get("ActivationCode")));
      }
      return fleet;
    } catch (Exception | AssertionError e) {
      fleet.close();
      throw e;
    }
  }

  private void startAgent(Path stateDir, String activationId, String activationCode)
      throws Exception {
    Files.createDirectories(stateDir);
    AgentConfig config =
        AgentConfig.builder()
            .server(URI.create("http://" + server.endpoint()))
            .stateDir(stateDir)
            .activation(activationId, activationCode)
            .regionId(REGION)
            .build();
    agents.add(Agent.start(config));
  }

  String desktopId(int index) {
    return agents.get(index).desktopId();
  }

  /** Returns an SDK client signing with V1, as the SDK does by default. */
  Client client() throws Exception {
    Config config =
        new Config()
            .setAccessKeyId(accessKeyId)
            .setAccessKeySecret(accessKeySecret)
            .setEndpoint(server.endpoint())
            .setProtocol("HTTP")
            .setRegionId(REGION);
    return new Client(config);
  }

  /** Returns the V1 client that polls DescribeInvocations, made once so polling stays cheap. */
  private synchronized Client describer() throws Exception {
    if (describer == null) {
      describer = client();
    }
    return describer;
  }

  /** Returns an SDK client forced onto the V3 signature (ACS3-HMAC-SHA256). */
  Client clientV3() throws Exception {
    Client client = client();
    client._signatureAlgorithm = null;
    return client;
  }

  /** Calls one of deskrun's own actions, which the ECD SDK has no model for, through the SDK. */
  Map<String, ?> callAction(String action, Map<String, String> parameters) throws Exception {
    return DeskrunActions.call(client(), REGION, action, parameters);
  }

  /** Polls DescribeInvocations until the invocation is final or {@code limit} passes. */
  DescribeInvocationsResponseBodyInvocations awaitFinal(String invokeId, Duration limit)
      throws Exception {
    long deadline = System.nanoTime() + limit.toNanos();
    DescribeInvocationsResponseBodyInvocations invocation = describe(invokeId, "PlainText");
    while (RUNNING.contains(invocation.getInvocationStatus()) && System.nanoTime() < deadline) {
      Thread.sleep(20);
      invocation = describe(invokeId, "PlainText");
    }
    return invocation;
  }

  /** Polls until the invocation leaves Pending, so a following stop hits a running script. */
  void awaitRunning(String invokeId, Duration limit) throws Exception {
    long deadline = System.nanoTime() + limit.toNanos();
    while (System.nanoTime() < deadline) {
      String status = describe(invokeId, "PlainText").getInvocationStatus();
      if (!status.equals("Pending")) {
        return;
      }
      Thread.sleep(50);
    }
  }

  DescribeInvocationsResponseBodyInvocations describe(String invokeId, String encoding)
      throws Exception {
    DescribeInvocationsRequest request =
        new DescribeInvocationsRequest()
            .setRegionId(REGION)
            .setInvokeId(invokeId)
            .setIncludeOutput(true)
            .setContentEncoding(encoding);
    List<DescribeInvocationsResponseBodyInvocations> invocations =
        describer().describeInvocations(request).getBody().getInvocations();
    if (invocations == null || invocations.size() != 1) {
      throw new AssertionError("expected one invocation " + invokeId + ", got " + invocations);
    }
    return invocations.get(0);
  }

  @Override
  public void close() {
    for (Agent agent : agents) {
      agent.close();
    }
    server.close();
  }
}
