package io.deskrun.server.faults;

import com.aliyun.ecd20200930.Client;
import com.aliyun.ecd20200930.models.DescribeInvocationsRequest;
import com.aliyun.ecd20200930.models.DescribeInvocationsResponseBody.DescribeInvocationsResponseBodyInvocationsInvokeDesktops;
import com.aliyun.ecd20200930.models.RunCommandRequest;
import com.aliyun.ecd20200930.models.StopInvocationRequest;
import com.aliyun.teaopenapi.models.Config;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.deskrun.server.DeskrunServer;
import io.deskrun.server.ServerConfig;
import io.deskrun.server.e2e.DeskrunActions;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * A real server in this JVM on a fixed loopback port, so it can be stopped and started again on the
 * same data dir while agents keep its URL; the official SDK is the API client.
 */
final class LiveServer implements AutoCloseable {
  static final String REGION = "cn-hangzhou";
  static final Duration LIMIT = Duration.ofSeconds(30);
  private static final Set<String> UNFINISHED = Set.of("Pending", "Running", "Stopping");

  private final ServerConfig config;
  private DeskrunServer server;
  private boolean running;
  private Client client;

  LiveServer(Path dataDir) throws IOException {
    this.config = ServerConfig.forDataDir(dataDir).withPort(freePort());
    start();
  }

  void start() {
    server = DeskrunServer.start(config);
    running = true;
  }

  void stop() {
    running = false;
    server.close();
  }

  URI uri() {
    return URI.create("http://127.0.0.1:" + config.port());
  }

  ServerConfig config() {
    return config;
  }

  /** An activation's id and code. */
  record Activation(String id, String code) {}

  Activation createActivation(int instances) throws Exception {
    Map<String, ?> body =
        call("CreateActivation", Map.of("InstanceCount", String.valueOf(instances)));
    return new Activation(
        String.valueOf(body.get("ActivationId")), String.valueOf(body.get("ActivationCode")));
  }

  Map<String, ?> call(String action, Map<String, String> parameters) throws Exception {
    return DeskrunActions.call(client(), REGION, action, parameters);
  }

  String runCommand(String script, long timeoutSeconds, String... desktopIds) throws Exception {
    RunCommandRequest request =
        new RunCommandRequest()
            .setRegionId(REGION)
            .setType("RunShellScript")
            .setCommandContent(script)
            .setDesktopId(List.of(desktopIds))
            .setTimeout(timeoutSeconds);
    return client().runCommand(request).getBody().getInvokeId();
  }

  void stopInvocation(String invokeId) throws Exception {
    client().stopInvocation(new StopInvocationRequest().setRegionId(REGION).setInvokeId(invokeId));
  }

  DescribeInvocationsResponseBodyInvocationsInvokeDesktops target(String invokeId)
      throws Exception {
    DescribeInvocationsRequest request =
        new DescribeInvocationsRequest()
            .setRegionId(REGION)
            .setInvokeId(invokeId)
            .setIncludeOutput(true)
            .setContentEncoding("PlainText");
    return client()
        .describeInvocations(request)
        .getBody()
        .getInvocations()
        .getFirst()
        .getInvokeDesktops()
        .getFirst();
  }

  String status(String invokeId) throws Exception {
    return target(invokeId).getInvocationStatus();
  }

  /** Waits until the single target of the invocation is final and returns it. */
  DescribeInvocationsResponseBodyInvocationsInvokeDesktops awaitFinal(String invokeId)
      throws Exception {
    await(() -> !UNFINISHED.contains(statusQuietly(invokeId)), invokeId + " to end");
    return target(invokeId);
  }

  String statusQuietly(String invokeId) {
    try {
      return status(invokeId);
    } catch (Exception e) {
      throw new AssertionError("DescribeInvocations of " + invokeId + " failed", e);
    }
  }

  private Client client() throws Exception {
    if (client == null) {
      JsonNode credentials =
          new ObjectMapper().readTree(server.bootstrapCredentialsFile().toFile());
      client =
          new Client(
              new Config()
                  .setAccessKeyId(credentials.get("AccessKeyId").asText())
                  .setAccessKeySecret(credentials.get("AccessKeySecret").asText())
                  .setEndpoint("127.0.0.1:" + config.port())
                  .setProtocol("HTTP")
                  .setRegionId(REGION));
    }
    return client;
  }

  /** Waits for {@code condition}, checking every 50 ms, for at most {@link #LIMIT}. */
  static void await(BooleanSupplier condition, String what) {
    long deadline = System.nanoTime() + LIMIT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + LIMIT + " waiting for " + what);
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted waiting for " + what, e);
      }
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  @Override
  public void close() {
    if (running) {
      stop();
    }
  }
}
