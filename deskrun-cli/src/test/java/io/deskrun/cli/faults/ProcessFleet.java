package io.deskrun.cli.faults;

import com.aliyun.ecd20200930.Client;
import com.aliyun.ecd20200930.models.DescribeInvocationsRequest;
import com.aliyun.ecd20200930.models.DescribeInvocationsResponseBody.DescribeInvocationsResponseBodyInvocations;
import com.aliyun.ecd20200930.models.DescribeInvocationsResponseBody.DescribeInvocationsResponseBodyInvocationsInvokeDesktops;
import com.aliyun.ecd20200930.models.RunCommandRequest;
import com.aliyun.teaopenapi.models.Config;
import com.aliyun.teaopenapi.models.OpenApiRequest;
import com.aliyun.teaopenapi.models.Params;
import com.aliyun.teautil.models.RuntimeOptions;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.deskrun.cli.Main;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * A deskrun server and agents as separate processes on loopback, driven through the official SDK.
 * The server keeps one port and data dir across restarts, so agents find it again.
 */
final class ProcessFleet implements AutoCloseable {
  static final String REGION = "cn-hangzhou";
  static final Duration START_LIMIT = Duration.ofSeconds(60);
  private static final Set<String> UNFINISHED = Set.of("Pending", "Running", "Stopping");

  private final Path dir;
  private final int port;
  private final List<JavaProcess> processes = new ArrayList<>();
  private JavaProcess server;
  private Client client;

  ProcessFleet(Path dir) throws IOException {
    this.dir = dir;
    this.port = freePort();
  }

  /** An activation's id and code. */
  record Activation(String id, String code) {}

  /** One desktop's row of DescribeInvocations. */
  record Target(String desktopId, String status, String errorCode, String output) {}

  URI serverUri() {
    return URI.create("http://127.0.0.1:" + port);
  }

  int port() {
    return port;
  }

  Path dir() {
    return dir;
  }

  /** Starts the server (again) on the fleet's port and data dir; returns once it accepts calls. */
  JavaProcess startServer() throws Exception {
    Path dataDir = dir.resolve("server");
    server =
        track(
            JavaProcess.start(
                "server",
                dir.resolve("server.log"),
                Main.class.getName(),
                List.of(
                    "server",
                    "--port",
                    String.valueOf(port),
                    "--bind",
                    "127.0.0.1",
                    "--data-dir",
                    dataDir.toString())));
    Path credentials = dataDir.resolve("bootstrap-credentials.json");
    await(() -> Files.exists(credentials) && accepts(port), "the server to accept connections");
    return server;
  }

  JavaProcess server() {
    return server;
  }

  /** Starts {@code deskrun agent} with its own state dir {@code dir/name}. */
  JavaProcess startAgent(String name, URI serverUri, Activation activation, int graceSeconds)
      throws IOException {
    return track(
        JavaProcess.start(
            name,
            dir.resolve(name + ".log"),
            Main.class.getName(),
            List.of(
                "agent",
                "--server",
                serverUri.toString(),
                "--state-dir",
                dir.resolve(name).toString(),
                "--activation-id",
                activation.id(),
                "--activation-code",
                activation.code(),
                "--working-dir",
                dir.toString(),
                "--shutdown-grace-seconds",
                String.valueOf(graceSeconds))));
  }

  /** Starts {@code count} agents in one process, in {@code dir/name/agent-i}; waits until ready. */
  JavaProcess startAgentGroup(String name, int count, Activation activation, int graceSeconds)
      throws Exception {
    Path root = dir.resolve(name);
    Files.createDirectories(root);
    Files.deleteIfExists(root.resolve("ready"));
    JavaProcess group =
        track(
            JavaProcess.start(
                name,
                dir.resolve(name + ".log"),
                AgentGroupMain.class.getName(),
                List.of(
                    serverUri().toString(),
                    root.toString(),
                    String.valueOf(count),
                    activation.id(),
                    activation.code(),
                    dir.toString(),
                    String.valueOf(graceSeconds))));
    await(() -> Files.exists(root.resolve("ready")), name + " to start its agents");
    return group;
  }

  /** Waits until the agent in {@code stateDir} has enrolled and returns its desktop id. */
  String desktopIdOf(Path stateDir) throws Exception {
    Path identity = stateDir.resolve("identity.json");
    await(() -> Files.exists(identity), "the agent in " + stateDir + " to enroll");
    return new ObjectMapper().readTree(identity.toFile()).get("desktopId").asText();
  }

  /** Waits until the server has seen a poll from {@code desktopId}, so RunCommand accepts it. */
  void awaitOnline(List<String> desktopIds) throws Exception {
    for (String desktopId : desktopIds) {
      await(() -> isOnline(desktopId), "desktop " + desktopId + " to poll");
    }
  }

  private boolean isOnline(String desktopId) {
    try {
      Map<String, ?> body = callAction("DescribeDesktops", Map.of("DesktopId.1", desktopId));
      return String.valueOf(body).contains("Online");
    } catch (Exception e) {
      return false;
    }
  }

  Activation createActivation(int instances) throws Exception {
    Map<String, ?> body =
        callAction("CreateActivation", Map.of("InstanceCount", String.valueOf(instances)));
    return new Activation(
        String.valueOf(body.get("ActivationId")), String.valueOf(body.get("ActivationCode")));
  }

  /** Runs a shell script through the SDK and returns the InvokeId. */
  String runCommand(String script, long timeoutSeconds, List<String> desktopIds) throws Exception {
    RunCommandRequest request =
        new RunCommandRequest()
            .setRegionId(REGION)
            .setType("RunShellScript")
            .setCommandContent(script)
            .setDesktopId(desktopIds)
            .setTimeout(timeoutSeconds);
    return client().runCommand(request).getBody().getInvokeId();
  }

  /** Returns each desktop's row of one invocation, keyed by desktop id. */
  Map<String, Target> describe(String invokeId) throws Exception {
    DescribeInvocationsRequest request =
        new DescribeInvocationsRequest()
            .setRegionId(REGION)
            .setInvokeId(invokeId)
            .setIncludeOutput(true)
            .setContentEncoding("PlainText");
    List<DescribeInvocationsResponseBodyInvocations> invocations =
        client().describeInvocations(request).getBody().getInvocations();
    if (invocations == null || invocations.size() != 1) {
      throw new AssertionError("expected one invocation " + invokeId + ", got " + invocations);
    }
    Map<String, Target> targets = new HashMap<>();
    for (DescribeInvocationsResponseBodyInvocationsInvokeDesktops desktop :
        invocations.get(0).getInvokeDesktops()) {
      targets.put(
          desktop.getDesktopId(),
          new Target(
              desktop.getDesktopId(),
              desktop.getInvocationStatus(),
              desktop.getErrorCode(),
              desktop.getOutput()));
    }
    return targets;
  }

  /** Waits until no target of the invocation is Pending, Running or Stopping; returns them. */
  Map<String, Target> awaitFinal(String invokeId, Duration limit) throws Exception {
    long deadline = System.nanoTime() + limit.toNanos();
    while (true) {
      Map<String, Target> targets = describeQuietly(invokeId);
      if (targets != null
          && targets.values().stream().noneMatch(t -> UNFINISHED.contains(t.status()))) {
        return targets;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError(
            "invocation " + invokeId + " not final within " + limit + ": " + targets);
      }
      Thread.sleep(200);
    }
  }

  /** Describes, or returns null while the server cannot be reached (it may be restarting). */
  private Map<String, Target> describeQuietly(String invokeId) throws Exception {
    try {
      return describe(invokeId);
    } catch (com.aliyun.tea.TeaException e) {
      if (e.getCode() != null && e.getCode().startsWith("Invalid")) {
        throw e;
      }
      return null;
    } catch (RuntimeException e) {
      return null;
    }
  }

  private Map<String, ?> callAction(String action, Map<String, String> parameters)
      throws Exception {
    Params params =
        new Params()
            .setAction(action)
            .setVersion("2020-09-30")
            .setProtocol("HTTP")
            .setPathname("/")
            .setMethod("POST")
            .setAuthType("AK")
            .setStyle("RPC")
            .setReqBodyType("formData")
            .setBodyType("json");
    Map<String, String> query = new HashMap<>(parameters);
    query.put("RegionId", REGION);
    Map<String, ?> response =
        client().callApi(params, new OpenApiRequest().setQuery(query), new RuntimeOptions());
    @SuppressWarnings("unchecked")
    Map<String, ?> body = (Map<String, ?>) response.get("body");
    return body;
  }

  private Client client() throws Exception {
    if (client == null) {
      JsonNode credentials =
          new ObjectMapper()
              .readTree(dir.resolve("server").resolve("bootstrap-credentials.json").toFile());
      Config config =
          new Config()
              .setAccessKeyId(credentials.get("AccessKeyId").asText())
              .setAccessKeySecret(credentials.get("AccessKeySecret").asText())
              .setEndpoint("127.0.0.1:" + port)
              .setProtocol("HTTP")
              .setRegionId(REGION)
              .setConnectTimeout(5_000)
              .setReadTimeout(30_000);
      client = new Client(config);
    }
    return client;
  }

  /** Reads the lines of a side-effect file, or none when no script has written it yet. */
  static List<String> lines(Path file) throws IOException {
    return Files.exists(file) ? Files.readAllLines(file) : List.of();
  }

  /** Counts the lines of a side-effect file; 0 when it cannot be read yet. */
  static int linesQuietly(Path file) {
    try {
      return lines(file).size();
    } catch (IOException e) {
      return 0;
    }
  }

  /** Waits for {@code condition}, checking every 100 ms, for at most {@link #START_LIMIT}. */
  static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + START_LIMIT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + START_LIMIT + " waiting for " + what);
      }
      Thread.sleep(100);
    }
  }

  private static boolean accepts(int port) {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
      return socket.isConnected();
    } catch (IOException e) {
      return false;
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  private JavaProcess track(JavaProcess process) {
    processes.add(process);
    return process;
  }

  /** Kills every process the fleet started that is still alive. */
  @Override
  public void close() {
    for (JavaProcess process : processes.reversed()) {
      process.close();
    }
  }
}
