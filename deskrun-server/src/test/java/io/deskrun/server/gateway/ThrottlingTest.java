package io.deskrun.server.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.aliyun.ecd20200930.models.DescribeInvocationsRequest;
import com.aliyun.tea.TeaException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.deskrun.protocol.AgentProtocol;
import io.deskrun.protocol.EnrollRequest;
import io.deskrun.protocol.OsType;
import io.deskrun.protocol.PollRequest;
import io.deskrun.protocol.ScriptType;
import io.deskrun.server.account.Accounts;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The per-AccessKey request limit and the per-agent poll limit of the real server, set low, on a
 * clock the test moves instead of sleeping.
 */
class ThrottlingTest {
  private static final int API_LIMIT = 3;
  private static final int POLL_LIMIT = 2;
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  private final AtomicReference<Instant> now =
      new AtomicReference<>(Instant.now().truncatedTo(ChronoUnit.SECONDS));
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private LiveServer server;

  @BeforeEach
  void start() throws Exception {
    server =
        LiveServer.start(
            dir,
            config ->
                config
                    .withApiRateLimit(API_LIMIT)
                    .withAgentPollRateLimit(POLL_LIMIT)
                    .withClock(now::get));
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private HttpResponse<String> describe(String keyId, String secret) throws Exception {
    RawClient raw = new RawClient(server.port(), keyId, secret);
    String query =
        RawClient.encode(raw.sign("GET", raw.parameters("DescribeInvocations", now.get())));
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/?" + query))
            .timeout(Duration.ofSeconds(10))
            .build();
    return http.send(request, HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> describe() throws Exception {
    return describe(server.keyId(), server.secret());
  }

  private void spendApiLimit() throws Exception {
    for (int i = 0; i < API_LIMIT; i++) {
      assertThat(describe().statusCode()).isEqualTo(200);
    }
  }

  @Test
  void describe_overLimit_throttlingUserWithRetryAfter() throws Exception {
    spendApiLimit();

    HttpResponse<String> response = describe();

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(response.headers().firstValue("Retry-After")).hasValue("1");
    JsonNode body = JSON.readTree(response.body());
    assertThat(body.get("Code").asText()).isEqualTo("Throttling.User");
    assertThat(body.get("Message").asText())
        .contains(server.keyId(), "limit of 3 requests per 1 s", "retry after 1 s");
    assertThat(body.get("Recommend").asText()).contains("Retry-After");
  }

  @Test
  void describe_afterOneTokenRefilled_servedAgainOnce() throws Exception {
    spendApiLimit();
    assertThat(describe().statusCode()).isEqualTo(400);

    now.updateAndGet(time -> time.plusMillis(400));

    assertThat(describe().statusCode()).isEqualTo(200);
    assertThat(describe().statusCode()).isEqualTo(400);
  }

  @Test
  void describe_otherKeyOfSameAccount_hasItsOwnLimit() throws Exception {
    spendApiLimit();
    Accounts.NewAccessKey other =
        server.server().accounts().createAccessKey(Accounts.DEFAULT_ACCOUNT_ID);

    HttpResponse<String> response = describe(other.accessKeyId(), other.accessKeySecret());

    assertThat(response.statusCode()).isEqualTo(200);
  }

  @Test
  void describe_wrongSecretWhileThrottled_signatureErrorAndLimitUntouched() throws Exception {
    for (int i = 0; i < API_LIMIT + 2; i++) {
      HttpResponse<String> forged = describe(server.keyId(), "not-the-secret");
      assertThat(JSON.readTree(forged.body()).get("Code").asText())
          .isEqualTo("SignatureDoesNotMatch");
    }

    spendApiLimit();
  }

  @Test
  void sdk_overLimit_teaExceptionWithThrottlingUser() throws Exception {
    spendApiLimit();

    TeaException error =
        catchThrowableOfType(
            TeaException.class,
            () ->
                server
                    .client()
                    .describeInvocations(
                        new DescribeInvocationsRequest().setRegionId(LiveServer.REGION)));

    assertThat(error.getCode()).isEqualTo("Throttling.User");
    assertThat(error.getStatusCode()).isEqualTo(400);
  }

  @Test
  void poll_overAgentLimit_429WithRetryAfter() throws Exception {
    String credential = enroll();

    assertThat(poll(credential).statusCode()).isEqualTo(200);
    assertThat(poll(credential).statusCode()).isEqualTo(200);
    HttpResponse<String> throttled = poll(credential);

    assertThat(throttled.statusCode()).isEqualTo(429);
    assertThat(throttled.headers().firstValue("Retry-After")).hasValue("30");
    assertThat(JSON.readTree(throttled.body()).get("code").asText()).isEqualTo("Throttling");
  }

  @Test
  void poll_afterRetryAfterPassed_servedAgain() throws Exception {
    String credential = enroll();
    poll(credential);
    poll(credential);
    assertThat(poll(credential).statusCode()).isEqualTo(429);

    now.updateAndGet(time -> time.plusSeconds(30));

    assertThat(poll(credential).statusCode()).isEqualTo(200);
  }

  /** Enrolls a desktop over the agent protocol and returns its Bearer credential. */
  private String enroll() throws Exception {
    Map<String, ?> activation = server.callAction("CreateActivation", Map.of());
    EnrollRequest enroll =
        new EnrollRequest(
            String.valueOf(activation.get("ActivationId")),
            String.valueOf(activation.get("ActivationCode")),
            LiveServer.REGION,
            "throttled-host",
            OsType.Linux,
            "test",
            List.of(ScriptType.RunShellScript));
    JsonNode identity = JSON.readTree(post(AgentProtocol.ENROLL_PATH, null, enroll).body());
    return identity.get("desktopId").asText() + ":" + identity.get("agentToken").asText();
  }

  private HttpResponse<String> poll(String credential) throws Exception {
    PollRequest poll =
        new PollRequest(
            1, 0, "throttled-host", "test", List.of(ScriptType.RunShellScript), List.of());
    return post(AgentProtocol.POLL_PATH, credential, poll);
  }

  private HttpResponse<String> post(String path, String credential, Object body) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
            .timeout(Duration.ofSeconds(10))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)));
    if (credential != null) {
      request.header("Authorization", "Bearer " + credential);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
