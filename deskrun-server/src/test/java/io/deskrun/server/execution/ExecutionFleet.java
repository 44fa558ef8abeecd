package io.deskrun.server.execution;

import com.aliyun.ecd20200930.Client;
import com.aliyun.ecd20200930.models.DescribeInvocationsRequest;
import com.aliyun.ecd20200930.models.DescribeInvocationsResponseBody.DescribeInvocationsResponseBodyInvocations;
import com.aliyun.ecd20200930.models.DescribeInvocationsResponseBody.DescribeInvocationsResponseBodyInvocationsInvokeDesktops;
import com.aliyun.ecd20200930.models.RunCommandRequest;
import com.aliyun.ecd20200930.models.StopInvocationRequest;
import com.aliyun.teaopenapi.models.Config;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.deskrun.agent.Agent;
import io.deskrun.agent.AgentConfig;
import io.deskrun.server.DeskrunServer;
import io.deskrun.server.ServerConfig;
import io.deskrun.server.e2e.DeskrunActions;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * A real server on port 0 with one real agent, configured by the test, and the official SDK as the
 * client. Closing it stops the agent, then the server.
 */
final class ExecutionFleet implements AutoCloseable {
  static final String REGION = "cn-hangzhou";
  private static final Set<String> RUNNING = Set.of("Pending", "Running", "Stopping");

  private final DeskrunServer server;
  private final Client client;
  private Agent agent;

  private ExecutionFleet(DeskrunServer server, Client client) {
    this.server = server;
    this.client = client;
  }

  /** Starts a server in {@code dir} and one agent whose settings {@code agentSettings} adds to. */
  static ExecutionFleet start(Path dir, UnaryOperator<AgentConfig.Builder> agentSettings)
      throws Exception {
    DeskrunServer server = DeskrunServer.start(ServerConfig.forDataDir(dir.resolve("server")));
    JsonNode credentials = new ObjectMapper().readTree(server.bootstrapCredentialsFile().toFile());
    Config config =
        new Config()
            .setAccessKeyId(credentials.get("AccessKeyId").asText())
            .setAccessKeySecret(credentials.get("AccessKeySecret").asText())
            .setEndpoint(server.endpoint())
            .setProtocol("HTTP")
            .setRegionId(REGION);
    ExecutionFleet fleet = new ExecutionFleet(server, new Client(config));
    try {
      fleet.startAgent(dir.resolve("agent"), agentSettings);
      return fleet;
    } catch (Exception | AssertionError e) {
      fleet.close();
      throw e;
    }
  }

  private void startAgent(Path stateDir, UnaryOperator<AgentConfig.Builder> agentSettings)
      throws Exception {
    Map<String, ?> activation = callAction("CreateActivation", Map.of("InstanceCount", "1"));
    Files.createDirectories(stateDir);
    AgentConfig.Builder builder =
        AgentConfig.builder()
            .server(URI.create("http://" + server.endpoint()))
            .stateDir(stateDir)
            .activation(
                String.valueOf(activation.get("ActivationId")),
                String.valueOf(activation.get("ActivationCode")))
            .regionId(REGION)
            .workingDirectory(stateDir);
    agent = Agent.start(agentSettings.apply(builder).build());
  }

  String desktopId() {
    return agent.desktopId();
  }

  Client client() {
    return client;
  }

  /** Submits {@code content} to the agent's desktop and returns the invoke id. */
  String run(String type, String content, String encoding, long timeoutSeconds) throws Exception {
    RunCommandRequest request =
        new RunCommandRequest()
            .setRegionId(REGION)
            .setType(type)
            .setCommandContent(content)
            .setContentEncoding(encoding)
            .setDesktopId(List.of(desktopId()))
            .setTimeout(timeoutSeconds);
    return client.runCommand(request).getBody().getInvokeId();
  }

  void stop(String invokeId) throws Exception {
    client.stopInvocation(
        new StopInvocationRequest()
            .setRegionId(REGION)
            .setInvokeId(invokeId)
            .setDesktopId(List.of(desktopId())));
  }

  /** Polls until the run on the desktop is final or {@code limit} passes; returns its row. */
  DescribeInvocationsResponseBodyInvocationsInvokeDesktops awaitFinal(
      String invokeId, Duration limit) throws Exception {
    long deadline = System.nanoTime() + limit.toNanos();
    DescribeInvocationsResponseBodyInvocations invocation = describe(invokeId);
    while (RUNNING.contains(invocation.getInvocationStatus()) && System.nanoTime() < deadline) {
      Thread.sleep(20);
      invocation = describe(invokeId);
    }
    return invocation.getInvokeDesktops().getFirst();
  }

  /** Polls until the run's output contains {@code text}, or {@code limit} passes. */
  void awaitOutput(String invokeId, String text, Duration limit) throws Exception {
    long deadline = System.nanoTime() + limit.toNanos();
    while (System.nanoTime() < deadline) {
      List<DescribeInvocationsResponseBodyInvocationsInvokeDesktops> desktops =
          describe(invokeId).getInvokeDesktops();
      String output = desktops.isEmpty() ? null : desktops.getFirst().getOutput();
      if (output != null && output.contains(text)) {
        return;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("output of " + invokeId + " did not show \"" + text + "\"");
  }

  DescribeInvocationsResponseBodyInvocations describe(String invokeId) throws Exception {
    DescribeInvocationsRequest request =
        new DescribeInvocationsRequest()
            .setRegionId(REGION)
            .setInvokeId(invokeId)
            .setIncludeOutput(true)
            .setContentEncoding("PlainText");
    List<DescribeInvocationsResponseBodyInvocations> invocations =
        client.describeInvocations(request).getBody().getInvocations();
    if (invocations == null || invocations.size() != 1) {
      throw new AssertionError("expected one invocation " + invokeId + ", got " + invocations);
    }
    return invocations.getFirst();
  }

  /** Calls one of deskrun's own actions, which the ECD SDK has no model for, through the SDK. */
  private Map<String, ?> callAction(String action, Map<String, String> parameters)
      throws Exception {
    return DeskrunActions.call(client, REGION, action, parameters);
  }

  @Override
  public void close() {
    if (agent != null) {
      agent.close();
    }
    server.close();
  }
}
