package io.deskrun.server.e2e;

import com.aliyun.ecd20200930.Client;
import com.aliyun.ecd20200930.models.DescribeInvocationsRequest;
import com.aliyun.ecd20200930.models.DescribeInvocationsResponseBody.DescribeInvocationsResponseBodyInvocations;
import com.aliyun.ecd20200930.models.RunCommandRequest;
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
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * Several real servers on one fresh database of the test PostgreSQL, sharing a master key, with
 * real agents that each poll a chosen list of them, and the official SDK as the client of any
 * server. Closing it stops the agents, then the servers still running.
 */
final class Cluster implements AutoCloseable {
  static final String REGION = "cn-hangzhou";
  private static final Duration PROCESS_START = Duration.ofSeconds(60);
  private static final Set<String> RUNNING = Set.of("Pending", "Running", "Stopping");

  private final Path dir;
  private final String databaseUrl = TestPostgres.newDatabaseUrl();
  private final String masterKey = newMasterKey();
  private final List<DeskrunServer> servers = new ArrayList<>();
  private final List<String> endpoints = new ArrayList<>();
  private final Map<Integer, Process> processes = new HashMap<>();
  private final List<Agent> agents = new ArrayList<>();
  private final Set<Integer> stopped = new HashSet<>();
  private String accessKeyId;
  private String accessKeySecret;
  private String activationId;
  private String activationCode;

  private final UnaryOperator<ServerConfig> customize;

  private Cluster(Path dir, UnaryOperator<ServerConfig> customize) {
    this.dir = dir;
    this.customize = customize;
  }

  /** Starts {@code serverCount} servers; the first creates the account, then the others join. */
  static Cluster start(Path dir, int serverCount) throws Exception {
    return start(dir, serverCount, config -> config);
  }

  /**
   * Like {@link #start(Path, int)}, with each server's configuration changed by {@code customize}.
   */
  static Cluster start(Path dir, int serverCount, UnaryOperator<ServerConfig> customize)
      throws Exception {
    Cluster cluster = new Cluster(dir, customize);
    try {
      for (int i = 0; i < serverCount; i++) {
        DeskrunServer server = DeskrunServer.start(cluster.serverConfig(i));
        cluster.servers.add(server);
        cluster.endpoints.add(server.endpoint());
      }
      cluster.readCredentials();
      return cluster;
    } catch (Exception | AssertionError e) {
      cluster.close();
      throw e;
    }
  }

  /** The configuration of server {@code index}: its own data dir, the shared database and key. */
  ServerConfig serverConfig(int index) {
    return customize.apply(
        ServerConfig.forDataDir(dir.resolve("server-" + index))
            .withDatabaseUrl(databaseUrl)
            .withDatabaseCredentials(TestPostgres.USER, "")
            .withMasterKey(masterKey));
  }

  String databaseUrl() {
    return databaseUrl;
  }

  private static String newMasterKey() {
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    return Base64.getEncoder().encodeToString(key);
  }

  private void readCredentials() throws Exception {
    JsonNode credentials =
        new ObjectMapper().readTree(servers.get(0).bootstrapCredentialsFile().toFile());
    accessKeyId = credentials.get("AccessKeyId").asText();
    accessKeySecret = credentials.get("AccessKeySecret").asText();
    Map<String, ?> activation = callAction(0, "CreateActivation", Map.of("InstanceCount", "50"));
    activationId = String.valueOf(activation.get("ActivationId"));
    activationCode = String.valueOf(activation.get("ActivationCode"));
  }

  /**
   * Starts one more server in a JVM of its own on the shared database and key; returns its index.
   * Its log goes to {@code server-<index>.log} in the cluster's dir.
   */
  int startServerProcess() throws Exception {
    int index = endpoints.size();
    Path dataDir = dir.resolve("server-" + index);
    Path log = dir.resolve("server-" + index + ".log");
    ProcessBuilder builder =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                ServerProcessMain.class.getName())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    Map<String, String> environment = builder.environment();
    environment.put("DESKRUN_DATABASE_URL", databaseUrl);
    environment.put("DESKRUN_DATABASE_USER", TestPostgres.USER);
    environment.put("DESKRUN_MASTER_KEY", masterKey);
    environment.put("DESKRUN_DATA_DIR", dataDir.toString());
    environment.put("DESKRUN_PORT", "0");
    Process process = builder.start();
    processes.put(index, process);
    servers.add(null);
    endpoints.add(awaitReady(process, log));
    return index;
  }

  /** Reads the server's log until it prints its endpoint; bounded by {@link #PROCESS_START}. */
  private static String awaitReady(Process process, Path log) throws Exception {
    long deadline = System.nanoTime() + PROCESS_START.toNanos();
    while (System.nanoTime() < deadline && process.isAlive()) {
      if (Files.exists(log)) {
        for (String line : Files.readAllLines(log)) {
          if (line.startsWith(ServerProcessMain.READY)) {
            return line.substring(ServerProcessMain.READY.length()).strip();
          }
        }
      }
      Thread.sleep(100);
    }
    process.destroyForcibly();
    throw new AssertionError(
        "the server process did not start within " + PROCESS_START + "; its log: " + log);
  }

  /** Kills the server process {@code index} at once, as a crash or a power cut would. */
  void killServerProcess(int index) throws InterruptedException {
    Process process = processes.get(index);
    process.destroyForcibly();
    process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS);
    stopped.add(index);
  }

  DeskrunServer server(int index) {
    return servers.get(index);
  }

  URI uri(int index) {
    return URI.create("http://" + endpoints.get(index));
  }

  /** Starts an agent that knows the given servers, in that order; returns it. */
  Agent startAgent(int... serverIndexes) throws Exception {
    Path stateDir = dir.resolve("agent-" + agents.size());
    Files.createDirectories(stateDir);
    List<URI> uris = Arrays.stream(serverIndexes).mapToObj(this::uri).toList();
    AgentConfig config =
        AgentConfig.builder()
            .servers(uris)
            .stateDir(stateDir)
            .activation(activationId, activationCode)
            .regionId(REGION)
            .pollWaitSeconds(30)
            .build();
    Agent agent = Agent.start(config);
    agents.add(agent);
    return agent;
  }

  /** Stops server {@code index} while the others keep running. */
  void stopServer(int index) {
    servers.get(index).close();
    stopped.add(index);
  }

  /** Returns an SDK client of server {@code index}. */
  Client client(int index) throws Exception {
    Config config =
        new Config()
            .setAccessKeyId(accessKeyId)
            .setAccessKeySecret(accessKeySecret)
            .setEndpoint(endpoints.get(index))
            .setProtocol("HTTP")
            .setRegionId(REGION);
    return new Client(config);
  }

  /** Sends a shell script to the desktops through server {@code index}; returns the InvokeId. */
  String run(int index, String script, List<String> desktopIds) throws Exception {
    RunCommandRequest request =
        new RunCommandRequest()
            .setRegionId(REGION)
            .setType("RunShellScript")
            .setCommandContent(script)
            .setDesktopId(desktopIds)
            .setTimeout(60L);
    return client(index).runCommand(request).getBody().getInvokeId();
  }

  String accessKeyId() {
    return accessKeyId;
  }

  String accessKeySecret() {
    return accessKeySecret;
  }

  /** Calls one of deskrun's own actions through server {@code index} with the SDK. */
  Map<String, ?> callAction(int index, String action, Map<String, String> parameters)
      throws Exception {
    return DeskrunActions.call(client(index), REGION, action, parameters);
  }

  /** Reads the invocation through server {@code index} until it is final or the limit passes. */
  DescribeInvocationsResponseBodyInvocations awaitFinal(int index, String invokeId, Duration limit)
      throws Exception {
    long deadline = System.nanoTime() + limit.toNanos();
    DescribeInvocationsResponseBodyInvocations invocation = describe(index, invokeId);
    while (RUNNING.contains(invocation.getInvocationStatus()) && System.nanoTime() < deadline) {
      Thread.sleep(50);
      invocation = describe(index, invokeId);
    }
    return invocation;
  }

  /** Reads the invocation until at least {@code count} of its desktops left Pending. */
  void awaitStarted(int index, String invokeId, int count, Duration limit) throws Exception {
    long deadline = System.nanoTime() + limit.toNanos();
    while (System.nanoTime() < deadline) {
      long started =
          describe(index, invokeId).getInvokeDesktops().stream()
              .filter(desktop -> !desktop.getInvocationStatus().equals("Pending"))
              .count();
      if (started >= count) {
        return;
      }
      Thread.sleep(50);
    }
    throw new AssertionError(count + " desktops of " + invokeId + " did not start within " + limit);
  }

  DescribeInvocationsResponseBodyInvocations describe(int index, String invokeId) throws Exception {
    DescribeInvocationsRequest request =
        new DescribeInvocationsRequest()
            .setRegionId(REGION)
            .setInvokeId(invokeId)
            .setIncludeOutput(true)
            .setContentEncoding("PlainText");
    List<DescribeInvocationsResponseBodyInvocations> invocations =
        client(index).describeInvocations(request).getBody().getInvocations();
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
    for (int i = 0; i < servers.size(); i++) {
      if (stopped.contains(i)) {
        continue;
      }
      if (processes.containsKey(i)) {
        processes.get(i).destroyForcibly();
      } else {
        servers.get(i).close();
      }
    }
  }
}
