package io.deskrun.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.aliyun.ecd20200930.Client;
import com.aliyun.ecd20200930.models.DescribeInvocationsRequest;
import com.aliyun.ecd20200930.models.DescribeInvocationsResponseBody.DescribeInvocationsResponseBodyInvocations;
import com.aliyun.ecd20200930.models.RunCommandRequest;
import com.aliyun.ecd20200930.models.StopInvocationRequest;
import com.aliyun.teaopenapi.models.Config;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.deskrun.agent.Agent;
import io.deskrun.agent.AgentConfig;
import io.deskrun.server.gateway.ApiRequest;
import io.deskrun.server.gateway.Parameters;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/** A started server, a real agent running real shell scripts, and the official SDK as client. */
@DisabledOnOs(OS.WINDOWS)
class AgentEndToEndTest {
  private static final Set<String> UNFINISHED = Set.of("Pending", "Running", "Stopping");

  @TempDir static Path dir;
  static DeskrunServer server;
  static Agent agent;
  static Client client;

  @BeforeAll
  static void start() throws Exception {
    server = DeskrunServer.start(ServerConfig.forDataDir(dir.resolve("server")));
    Map<String, Object> activation =
        server
            .components()
            .actions
            .get("CreateActivation")
            .handle(
                new ApiRequest(
                    "TEST",
                    "CreateActivation",
                    "default",
                    "cn-hangzhou",
                    new Parameters(Map.of("InstanceCount", "1"))));
    agent =
        Agent.start(
            AgentConfig.builder()
                .server(URI.create("http://" + server.endpoint()))
                .stateDir(dir.resolve("agent"))
                .activation(
                    (String) activation.get("ActivationId"),
                    (String) activation.get("ActivationCode"))
                .build());
    client = client();
  }

  @AfterAll
  static void stop() {
    if (agent != null) {
      agent.close();
    }
    server.close();
  }

  @SuppressWarnings("unchecked")
  private static Client client() throws Exception {
    Map<String, String> credentials =
        new ObjectMapper()
            .readValue(Files.readString(server.bootstrapCredentialsFile()), Map.class);
    return new Client(
        new Config()
            .setAccessKeyId(credentials.get("AccessKeyId"))
            .setAccessKeySecret(credentials.get("AccessKeySecret"))
            .setEndpoint(credentials.get("Endpoint"))
            .setProtocol("HTTP")
            .setRegionId(credentials.get("RegionId")));
  }

  private static String run(String script) throws Exception {
    return client
        .runCommand(
            new RunCommandRequest()
                .setRegionId("cn-hangzhou")
                .setType("RunShellScript")
                .setCommandContent(script)
                .setDesktopId(List.of(agent.desktopId()))
                .setTimeout(60L))
        .getBody()
        .getInvokeId();
  }

  private static DescribeInvocationsResponseBodyInvocations describe(String invokeId)
      throws Exception {
    return client
        .describeInvocations(
            new DescribeInvocationsRequest()
                .setRegionId("cn-hangzhou")
                .setInvokeId(invokeId)
                .setIncludeOutput(true)
                .setContentEncoding("PlainText"))
        .getBody()
        .getInvocations()
        .get(0);
  }

  /** Polls DescribeInvocations, at most 20 seconds, until the invocation matches. */
  private static DescribeInvocationsResponseBodyInvocations await(
      String invokeId, Predicate<DescribeInvocationsResponseBodyInvocations> condition)
      throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    DescribeInvocationsResponseBodyInvocations invocation = describe(invokeId);
    while (!condition.test(invocation) && System.nanoTime() < deadline) {
      Thread.sleep(100);
      invocation = describe(invokeId);
    }
    return invocation;
  }

  @Test
  void runCommand_shellScript_resultReachesApi() throws Exception {
    String invokeId = run("echo hello from deskrun\nexit 3\n");

    DescribeInvocationsResponseBodyInvocations invocation =
        await(invokeId, item -> !UNFINISHED.contains(item.getInvocationStatus()));

    assertThat(invocation.getInvocationStatus()).isEqualTo("Failed");
    var target = invocation.getInvokeDesktops().get(0);
    assertThat(target.getExitCode()).isEqualTo(3L);
    assertThat(target.getErrorCode()).isEqualTo("ExitCodeNonzero");
    assertThat(target.getOutput()).contains("hello from deskrun");
    assertThat(target.getStartTime()).isNotNull();
  }

  @Test
  void stopInvocation_runningScript_terminated() throws Exception {
    String invokeId = run("echo started\nsleep 600\n");
    await(invokeId, item -> "Running".equals(item.getInvocationStatus()));

    client.stopInvocation(
        new StopInvocationRequest().setRegionId("cn-hangzhou").setInvokeId(invokeId));
    DescribeInvocationsResponseBodyInvocations invocation =
        await(invokeId, item -> !UNFINISHED.contains(item.getInvocationStatus()));

    assertThat(invocation.getInvocationStatus()).isEqualTo("Stopped");
    assertThat(invocation.getInvokeDesktops().get(0).getInvocationStatus()).isEqualTo("Terminated");
  }
}
