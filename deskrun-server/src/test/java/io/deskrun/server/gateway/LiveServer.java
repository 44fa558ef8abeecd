package io.deskrun.server.gateway;

import com.aliyun.ecd20200930.Client;
import com.aliyun.ecd20200930.models.DescribeInvocationsRequest;
import com.aliyun.ecd20200930.models.DescribeInvocationsResponseBody.DescribeInvocationsResponseBodyInvocations;
import com.aliyun.ecd20200930.models.RunCommandRequest;
import com.aliyun.teaopenapi.models.Config;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.deskrun.agent.Agent;
import io.deskrun.agent.AgentConfig;
import io.deskrun.protocol.AgentProtocol;
import io.deskrun.protocol.EnrollRequest;
import io.deskrun.protocol.OsType;
import io.deskrun.protocol.ScriptType;
import io.deskrun.server.DeskrunServer;
import io.deskrun.server.ServerConfig;
import io.deskrun.server.e2e.DeskrunActions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * The real deskrun server on a free loopback port, its bootstrap AccessKey, the official SDK and a
 * raw signing client against it, and optionally real agents enrolled on this machine.
 */
final class LiveServer implements AutoCloseable {
  static final String REGION = "cn-hangzhou";
  private static final Set<String> UNFINISHED = Set.of("Pending", "Running", "Stopping");

  private final DeskrunServer server;
  private final String keyId;
  private final String secret;
  private final List<Agent> agents = new ArrayList<>();
  private RawClient raw;

  private LiveServer(DeskrunServer server, JsonNode credentials) {
    this.server = server;
    this.keyId = credentials.get("AccessKeyId").asText();
    this.secret = credentials.get("AccessKeySecret").asText();
  }

  /** Starts a server with the default settings in {@code dir}. */
  static LiveServer start(Path dir) throws Exception {
    return start(dir, UnaryOperator.identity());
  }

  /** Starts a server in {@code dir} with settings changed by {@code customize}. */
  static LiveServer start(Path dir, UnaryOperator<ServerConfig> customize) throws Exception {
    DeskrunServer server = DeskrunServer.start(customize.apply(ServerConfig.forDataDir(dir)));
    try {
      JsonNode credentials =
          new ObjectMapper().readTree(server.bootstrapCredentialsFile().toFile());
      return new LiveServer(server, credentials);
    } catch (Exception e) {
      server.close();
      throw e;
    }
  }

  DeskrunServer server() {
    return server;
  }

  int port() {
    return server.port();
  }

  String keyId() {
    return keyId;
  }

  String secret() {
    return secret;
  }

  /** Returns the one raw client of this server, which signs with the bootstrap AccessKey. */
  synchronized RawClient raw() {
    if (raw == null) {
      raw = new RawClient(port(), keyId, secret);
    }
    return raw;
  }

  /** Returns an ECD SDK client that signs with V1, as the SDK does by default. */
  Client client() throws Exception {
    return new Client(config());
  }

  /** Returns an ECD SDK client forced onto the V3 signature (ACS3-HMAC-SHA256). */
  Client clientV3() throws Exception {
    Client client = client();
    client._signatureAlgorithm = null;
    return client;
  }

  Config config() {
    return new Config()
        .setAccessKeyId(keyId)
        .setAccessKeySecret(secret)
        .setEndpoint(server.endpoint())
        .setProtocol("HTTP")
        .setRegionId(REGION)
        .setConnectTimeout(5_000)
        .setReadTimeout(30_000);
  }

  /** Calls one of deskrun's own actions, which the ECD SDK has no model for, through the SDK. */
  Map<String, ?> callAction(String action, Map<String, String> parameters) throws Exception {
    return DeskrunActions.call(client(), REGION, action, parameters);
  }

  /** Creates an activation and enrolls one real agent with it; returns its desktop id. */
  String enrollAgent(Path stateDir) throws Exception {
    Map<String, ?> activation = callAction("CreateActivation", Map.of("InstanceCount", "5"));
    Files.createDirectories(stateDir);
    AgentConfig config =
        AgentConfig.builder()
            .server(URI.create("http://" + server.endpoint()))
            .stateDir(stateDir)
            .activation(
                String.valueOf(activation.get("ActivationId")),
                String.valueOf(activation.get("ActivationCode")))
            .regionId(REGION)
            .build();
    Agent agent = Agent.start(config);
    agents.add(agent);
    return agent.desktopId();
  }

  /**
   * Enrolls a desktop over the agent protocol without starting an agent, as a Linux desktop that
   * runs shell scripts; returns its desktop id.
   */
  String enrollWithoutAgent() throws Exception {
    Map<String, ?> activation = callAction("CreateActivation", Map.of());
    EnrollRequest enroll =
        new EnrollRequest(
            String.valueOf(activation.get("ActivationId")),
            String.valueOf(activation.get("ActivationCode")),
            REGION,
            "quiet-host",
            OsType.Linux,
            "test",
            List.of(ScriptType.RunShellScript));
    ObjectMapper json = new ObjectMapper();
    HttpRequest request =
        HttpRequest.newBuilder(
                URI.create("http://" + server.endpoint() + AgentProtocol.ENROLL_PATH))
            .timeout(Duration.ofSeconds(10))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(json.writeValueAsBytes(enroll)))
            .build();
    try (HttpClient http = HttpClient.newHttpClient()) {
      String body = http.send(request, HttpResponse.BodyHandlers.ofString()).body();
      return json.readTree(body).get("desktopId").asText();
    }
  }

  /** Runs a shell script on the desktop and waits until the invocation is final. */
  String runToEnd(String desktopId, String script) throws Exception {
    String invokeId =
        client()
            .runCommand(
                new RunCommandRequest()
                    .setRegionId(REGION)
                    .setDesktopId(List.of(desktopId))
                    .setType("RunShellScript")
                    .setCommandContent(script))
            .getBody()
            .getInvokeId();
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (UNFINISHED.contains(describe(invokeId).getInvocationStatus())) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("Invocation " + invokeId + " did not finish within 30 s");
      }
      Thread.sleep(20);
    }
    return invokeId;
  }

  DescribeInvocationsResponseBodyInvocations describe(String invokeId) throws Exception {
    DescribeInvocationsRequest request =
        new DescribeInvocationsRequest()
            .setRegionId(REGION)
            .setInvokeId(invokeId)
            .setIncludeOutput(true)
            .setContentEncoding("PlainText");
    return client().describeInvocations(request).getBody().getInvocations().getFirst();
  }

  @Override
  public void close() {
    for (Agent agent : agents) {
      agent.close();
    }
    server.close();
  }
}
