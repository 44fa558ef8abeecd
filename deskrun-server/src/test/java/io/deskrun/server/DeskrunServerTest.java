package io.deskrun.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.aliyun.ecd20200930.Client;
import com.aliyun.ecd20200930.models.DescribeInvocationsRequest;
import com.aliyun.teaopenapi.models.Config;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.deskrun.protocol.AgentProtocol;
import io.deskrun.protocol.TargetStatus;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeskrunServerTest {
  @TempDir Path dataDir;

  @SuppressWarnings("unchecked")
  private static Map<String, String> credentials(DeskrunServer server) throws Exception {
    return new ObjectMapper()
        .readValue(Files.readString(server.bootstrapCredentialsFile()), Map.class);
  }

  private static int describeInvocationCount(DeskrunServer server, Map<String, String> credentials)
      throws Exception {
    Client client =
        new Client(
            new Config()
                .setAccessKeyId(credentials.get("AccessKeyId"))
                .setAccessKeySecret(credentials.get("AccessKeySecret"))
                .setEndpoint(server.endpoint())
                .setProtocol("HTTP")
                .setRegionId("cn-hangzhou"));
    return client
        .describeInvocations(new DescribeInvocationsRequest().setRegionId("cn-hangzhou"))
        .getBody()
        .getInvocations()
        .size();
  }

  @Test
  void start_again_keepsAccountAndCredentialsFile() throws Exception {
    Map<String, String> first;
    String firstFile;
    try (DeskrunServer server = DeskrunServer.start(ServerConfig.forDataDir(dataDir))) {
      first = credentials(server);
      firstFile = Files.readString(server.bootstrapCredentialsFile());
    }

    try (DeskrunServer server = DeskrunServer.start(ServerConfig.forDataDir(dataDir))) {
      assertThat(Files.readString(server.bootstrapCredentialsFile())).isEqualTo(firstFile);
      assertThat(describeInvocationCount(server, first)).isZero();
    }
  }

  @Test
  void start_credentialsFileUnwritable_failsAndBootstrapsOnNextStart() throws Exception {
    Path blocker = dataDir.resolve("bootstrap-credentials.json");
    Files.createDirectories(blocker);
    Files.writeString(blocker.resolve("keep"), "x");

    Throwable failure =
        org.assertj.core.api.Assertions.catchThrowable(
            () -> DeskrunServer.start(ServerConfig.forDataDir(dataDir)));
    Files.delete(blocker.resolve("keep"));
    Files.delete(blocker);

    assertThat(failure).hasMessageContaining("bootstrap credentials");
    try (DeskrunServer server = DeskrunServer.start(ServerConfig.forDataDir(dataDir))) {
      Map<String, String> credentials = credentials(server);
      assertThat(describeInvocationCount(server, credentials)).isZero();
    }
  }

  @Test
  void close_openPoll_answeredAtOnce() throws Exception {
    DeskrunServer server = DeskrunServer.start(ServerConfig.forDataDir(dataDir));
    ServerFixture.Enrolled desktop = enroll(server);
    HttpRequest poll =
        HttpRequest.newBuilder(URI.create("http://" + server.endpoint() + AgentProtocol.POLL_PATH))
            .header("Authorization", "Bearer " + desktop.credential())
            .POST(
                HttpRequest.BodyPublishers.ofString(
                    "{\"freeSlots\":1,\"waitSeconds\":25,\"runningInvokeIds\":[]}"))
            .build();
    CompletableFuture<HttpResponse<String>> pending =
        HttpClient.newHttpClient().sendAsync(poll, HttpResponse.BodyHandlers.ofString());
    // NOTE: gives the poll time to reach the server; a poll arriving after close fails to
    // connect instead, which the assertions below would report.
    Thread.sleep(300);
    long started = System.nanoTime();

    server.close();

    HttpResponse<String> response = pending.get(10, TimeUnit.SECONDS);
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).contains("\"tasks\":[]");
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
  }

  @Test
  void start_sweeperScheduled_abortsUndeliveredTarget() throws Exception {
    MutableClock clock = MutableClock.atNow();
    ServerConfig config =
        ServerConfig.forDataDir(dataDir).withClock(clock).withSweepInterval(Duration.ofMillis(50));
    try (DeskrunServer server = DeskrunServer.start(config)) {
      ServerFixture.Enrolled desktop = enroll(server);
      Map<String, Object> created =
          server
              .components()
              .actions
              .get("RunCommand")
              .handle(
                  apiRequest(
                      "RunCommand",
                      Map.of(
                          "Type", "RunShellScript",
                          "CommandContent", "echo",
                          "DesktopId.1", desktop.desktopId())));
      String invokeId = (String) created.get("InvokeId");

      clock.advance(Duration.ofSeconds(61));

      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      TargetStatus status = TargetStatus.Pending;
      while (status == TargetStatus.Pending && System.nanoTime() < deadline) {
        Thread.sleep(20);
        status = server.components().targets.statusOf(invokeId, desktop.desktopId()).orElseThrow();
      }
      assertThat(status).isEqualTo(TargetStatus.Aborted);
    }
  }

  private static io.deskrun.server.gateway.ApiRequest apiRequest(
      String action, Map<String, String> parameters) {
    return new io.deskrun.server.gateway.ApiRequest(
        "TEST",
        action,
        "default",
        "cn-hangzhou",
        new io.deskrun.server.gateway.Parameters(parameters));
  }

  private static ServerFixture.Enrolled enroll(DeskrunServer server) throws Exception {
    Map<String, Object> activation =
        server
            .components()
            .actions
            .get("CreateActivation")
            .handle(apiRequest("CreateActivation", Map.of()));
    String body =
        new ObjectMapper()
            .writeValueAsString(
                Map.of(
                    "activationId", activation.get("ActivationId"),
                    "activationCode", activation.get("ActivationCode"),
                    "osType", "Linux",
                    "scriptTypes", java.util.List.of("RunShellScript")));
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create("http://" + server.endpoint() + AgentProtocol.ENROLL_PATH))
                    .POST(HttpRequest.BodyPublishers.ofString(body))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    @SuppressWarnings("unchecked")
    Map<String, String> enrolled = new ObjectMapper().readValue(response.body(), Map.class);
    return new ServerFixture.Enrolled(
        enrolled.get("desktopId"),
        enrolled.get("desktopId") + ":" + enrolled.get("agentToken"),
        java.util.List.of());
  }

  @Test
  void start_dataDirInUse_rejectedNamingDir() {
    try (DeskrunServer first = DeskrunServer.start(ServerConfig.forDataDir(dataDir))) {
      assertThatThrownBy(() -> DeskrunServer.start(ServerConfig.forDataDir(dataDir)))
          .isInstanceOf(ServerStartException.class)
          .hasMessageContaining(dataDir.toAbsolutePath().toString())
          .hasMessageContaining("in use by another deskrun server");
      assertThat(first.port()).isPositive();
    }
  }

  @Test
  void start_portTaken_rejectedWithoutCredentialsFile() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Path otherDir = dataDir.resolve("other");
      ServerConfig config = ServerConfig.forDataDir(otherDir).withPort(taken.getLocalPort());

      assertThatThrownBy(() -> DeskrunServer.start(config))
          .isInstanceOf(ServerStartException.class)
          .hasMessageContaining("Cannot listen on 127.0.0.1:" + taken.getLocalPort());
      assertThat(otherDir.resolve("bootstrap-credentials.json")).doesNotExist();
    }
  }
}
