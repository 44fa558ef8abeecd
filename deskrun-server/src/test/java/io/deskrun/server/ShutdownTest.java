package io.deskrun.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.aliyun.ecd20200930.Client;
import com.aliyun.ecd20200930.models.DescribeInvocationsRequest;
import com.aliyun.tea.TeaException;
import com.aliyun.teaopenapi.models.Config;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * API requests while the server shuts down, through the official SDK: they get {@code 503
 * ServiceUnavailable} in the error envelope, never a 500.
 */
class ShutdownTest {
  private static final String REGION = "cn-hangzhou";

  @TempDir Path dir;

  private static Client client(DeskrunServer server) throws Exception {
    JsonNode credentials = new ObjectMapper().readTree(server.bootstrapCredentialsFile().toFile());
    return new Client(
        new Config()
            .setAccessKeyId(credentials.get("AccessKeyId").asText())
            .setAccessKeySecret(credentials.get("AccessKeySecret").asText())
            .setEndpoint(server.endpoint())
            .setProtocol("HTTP")
            .setRegionId(REGION)
            .setConnectTimeout(5_000)
            .setReadTimeout(30_000));
  }

  private static DescribeInvocationsRequest describe() {
    return new DescribeInvocationsRequest().setRegionId(REGION);
  }

  @Test
  void describeInvocations_serverClosing_serviceUnavailable() throws Exception {
    try (DeskrunServer server = DeskrunServer.start(ServerConfig.forDataDir(dir))) {
      Client client = client(server);
      client.describeInvocations(describe());

      server.startClosing();
      TeaException error =
          catchThrowableOfType(TeaException.class, () -> client.describeInvocations(describe()));

      assertThat(error.getCode()).isEqualTo("ServiceUnavailable");
      assertThat(error.getData().get("statusCode")).isEqualTo(503);
      assertThat(error.getMessage()).contains("shutting down");
      assertThat(error.getData().get("Recommend")).isEqualTo("Retry later.");
      assertThat(String.valueOf(error.getData().get("RequestId"))).isNotBlank();
    }
  }

  /**
   * Sends requests back to back while another thread closes the server. Each response must be a
   * success or ServiceUnavailable, and the requests end with a failure to connect.
   */
  @Test
  void close_requestsArriving_noInternalError() throws Exception {
    DeskrunServer server = DeskrunServer.start(ServerConfig.forDataDir(dir));
    Client client = client(server);
    Map<String, AtomicInteger> outcomes = new ConcurrentHashMap<>();
    CountDownLatch warmedUp = new CountDownLatch(20);
    Thread sender =
        Thread.ofPlatform()
            .name("shutdown-test-sender")
            .start(() -> sendUntilRefused(client, outcomes, warmedUp));
    try {
      assertThat(warmedUp.await(30, TimeUnit.SECONDS)).isTrue();
    } finally {
      server.close();
    }

    sender.join(Duration.ofSeconds(60));

    assertThat(sender.isAlive()).isFalse();
    assertThat(outcomes.keySet()).contains("Success", "Refused");
    assertThat(outcomes.keySet())
        .as("outcomes %s", outcomes)
        .isSubsetOf(List.of("Success", "ServiceUnavailable", "Refused"));
  }

  /** Calls DescribeInvocations until the connection fails, at most 20,000 times. */
  private static void sendUntilRefused(
      Client client, Map<String, AtomicInteger> outcomes, CountDownLatch warmedUp) {
    for (int i = 0; i < 20_000; i++) {
      String outcome = call(client);
      outcomes.computeIfAbsent(outcome, key -> new AtomicInteger()).incrementAndGet();
      warmedUp.countDown();
      if (outcome.equals("Refused")) {
        return;
      }
    }
  }

  /** Returns Success, the error code of an API error, or Refused when no response came. */
  private static String call(Client client) {
    try {
      client.describeInvocations(describe());
      return "Success";
    } catch (TeaException e) {
      Object status = e.getData() == null ? null : e.getData().get("statusCode");
      return status == null ? "Refused" : e.getCode();
    } catch (Exception e) {
      return "Refused";
    }
  }
}
