package io.deskrun.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.aliyun.ecd20200930.Client;
import com.aliyun.ecd20200930.models.DescribeInvocationsRequest;
import com.aliyun.ecd20200930.models.DescribeInvocationsResponseBody;
import com.aliyun.ecd20200930.models.RunCommandRequest;
import com.aliyun.ecd20200930.models.StopInvocationRequest;
import com.aliyun.tea.TeaException;
import com.aliyun.teaopenapi.models.Config;
import com.aliyun.teaopenapi.models.OpenApiRequest;
import com.aliyun.teaopenapi.models.Params;
import com.aliyun.teautil.models.RuntimeOptions;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.deskrun.protocol.AgentProtocol;
import io.deskrun.protocol.EnrollRequest;
import io.deskrun.protocol.EnrollResponse;
import io.deskrun.protocol.OsType;
import io.deskrun.protocol.PollRequest;
import io.deskrun.protocol.PollResponse;
import io.deskrun.protocol.RunReport;
import io.deskrun.protocol.ScriptType;
import io.deskrun.protocol.TargetStatus;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole server started with {@link DeskrunServer#start}, called through the real gateway with
 * the official ECD Java SDK and through the agent protocol over HTTP. The SDK signs with the system
 * time, so this server runs on the system clock.
 */
class SdkEndToEndTest {
  private static final ObjectMapper JSON =
      new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @TempDir static Path dataDir;
  static DeskrunServer server;
  static Map<String, String> credentials;
  static Client client;
  static String desktopId;
  static String bearer;

  @BeforeAll
  static void start() throws Exception {
    server = DeskrunServer.start(ServerConfig.forDataDir(dataDir));
    credentials = readCredentials();
    client = client(credentials.get("AccessKeyId"), credentials.get("AccessKeySecret"));
    enroll();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @SuppressWarnings("unchecked")
  private static Map<String, String> readCredentials() throws Exception {
    return JSON.readValue(Files.readString(server.bootstrapCredentialsFile()), Map.class);
  }

  private static Client client(String keyId, String secret) throws Exception {
    return new Client(
        new Config()
            .setAccessKeyId(keyId)
            .setAccessKeySecret(secret)
            .setEndpoint(server.endpoint())
            .setProtocol("HTTP")
            .setRegionId("cn-hangzhou")
            .setConnectTimeout(5_000)
            .setReadTimeout(20_000));
  }

  /** Calls one of deskrun's own actions, which the SDK has no model for, with its generic call. */
  @SuppressWarnings("unchecked")
  private static Map<String, Object> callOwnAction(String action, Map<String, String> query)
      throws Exception {
    Params params =
        new Params()
            .setAction(action)
            .setVersion("2020-09-30")
            .setProtocol("HTTP")
            .setMethod("POST")
            .setAuthType("AK")
            .setStyle("RPC")
            .setPathname("/")
            .setReqBodyType("json")
            .setBodyType("json");
    OpenApiRequest request = new OpenApiRequest().setQuery(new java.util.HashMap<>(query));
    Map<String, ?> response = client.callApi(params, request, new RuntimeOptions());
    return (Map<String, Object>) response.get("body");
  }

  private static void enroll() throws Exception {
    Map<String, Object> activation =
        callOwnAction("CreateActivation", Map.of("RegionId", "cn-hangzhou", "InstanceCount", "2"));
    EnrollResponse enrolled =
        post(
            AgentProtocol.ENROLL_PATH,
            null,
            new EnrollRequest(
                (String) activation.get("ActivationId"),
                (String) activation.get("ActivationCode"),
                "cn-hangzhou",
                "sdk-host",
                OsType.Linux,
                "0.1.0",
                List.of(ScriptType.RunShellScript)),
            EnrollResponse.class);
    desktopId = enrolled.desktopId();
    bearer = enrolled.desktopId() + ":" + enrolled.agentToken();
  }

  private static <T> T post(String path, String credential, Object body, Class<T> type)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://" + server.endpoint() + path))
            .timeout(Duration.ofSeconds(20))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)));
    if (credential != null) {
      request.header("Authorization", "Bearer " + credential);
    }
    HttpResponse<String> response =
        HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return JSON.readValue(response.body(), type);
  }

  private static PollResponse poll() throws Exception {
    return post(
        AgentProtocol.POLL_PATH,
        bearer,
        new PollRequest(10, 0, "sdk-host", "0.1.0", List.of(ScriptType.RunShellScript), List.of()),
        PollResponse.class);
  }

  private static String runCommand(String script) throws Exception {
    return client
        .runCommand(
            new RunCommandRequest()
                .setRegionId("cn-hangzhou")
                .setType("RunShellScript")
                .setCommandContent(script)
                .setDesktopId(List.of(desktopId))
                .setTimeout(30L))
        .getBody()
        .getInvokeId();
  }

  private static DescribeInvocationsResponseBody.DescribeInvocationsResponseBodyInvocations
      describe(String invokeId) throws Exception {
    List<DescribeInvocationsResponseBody.DescribeInvocationsResponseBodyInvocations> invocations =
        client
            .describeInvocations(
                new DescribeInvocationsRequest()
                    .setRegionId("cn-hangzhou")
                    .setInvokeId(invokeId)
                    .setIncludeOutput(true))
            .getBody()
            .getInvocations();
    assertThat(invocations).hasSize(1);
    return invocations.get(0);
  }

  @Test
  void bootstrapCredentials_file_ownerOnlyWithBoundEndpoint() throws Exception {
    Path file = server.bootstrapCredentialsFile();

    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
    assertThat(credentials.get("Endpoint")).isEqualTo("127.0.0.1:" + server.port());
    assertThat(credentials.get("Protocol")).isEqualTo("http");
    assertThat(credentials.get("RegionId")).isEqualTo("cn-hangzhou");
    assertThat(credentials.get("AccessKeyId")).matches("LTAI[A-Za-z0-9]{20}");
    assertThat(credentials.get("AccessKeySecret")).matches("[A-Za-z0-9]{30}");
  }

  @Test
  void runCommand_throughSdk_resultsReadBackTyped() throws Exception {
    String invokeId = runCommand("echo hi");
    PollResponse work = poll();
    post(
        AgentProtocol.REPORT_PATH,
        bearer,
        new RunReport(invokeId, TargetStatus.Failed, 3L, "hi\n", 0, null, null),
        Map.class);

    DescribeInvocationsResponseBody.DescribeInvocationsResponseBodyInvocations invocation =
        describe(invokeId);

    assertThat(work.tasks()).anySatisfy(task -> assertThat(task.invokeId()).isEqualTo(invokeId));
    assertThat(invocation.getInvocationStatus()).isEqualTo("Failed");
    assertThat(invocation.getCommandContent())
        .isEqualTo(Base64.getEncoder().encodeToString("echo hi".getBytes(StandardCharsets.UTF_8)));
    assertThat(invocation.getInvokeDesktopCount()).isEqualTo(1);
    assertThat(invocation.getInvokeDesktopSucceedCount()).isEqualTo(0);
    var target = invocation.getInvokeDesktops().get(0);
    assertThat(target.getDesktopId()).isEqualTo(desktopId);
    assertThat(target.getExitCode()).isEqualTo(3L);
    assertThat(target.getDropped()).isEqualTo(0);
    assertThat(target.getRepeats()).isEqualTo(1);
    assertThat(target.getErrorCode()).isEqualTo("ExitCodeNonzero");
    assertThat(target.getOutput())
        .isEqualTo(Base64.getEncoder().encodeToString("hi\n".getBytes(StandardCharsets.UTF_8)));
    assertThat(target.getFinishTime()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ");
  }

  @Test
  void stopInvocation_throughSdk_cancelsPending() throws Exception {
    String invokeId = runCommand("sleep 5");

    client.stopInvocation(
        new StopInvocationRequest().setRegionId("cn-hangzhou").setInvokeId(invokeId));

    assertThat(describe(invokeId).getInvocationStatus()).isEqualTo("Stopped");
  }

  @Test
  void runCommand_badTimeout_teaExceptionWithCode() {
    TeaException error =
        catchThrowableOfType(
            TeaException.class,
            () ->
                client.runCommand(
                    new RunCommandRequest()
                        .setRegionId("cn-hangzhou")
                        .setType("RunShellScript")
                        .setCommandContent("echo")
                        .setDesktopId(List.of(desktopId))
                        .setTimeout(0L)));

    assertThat(error.getCode()).isEqualTo("InvalidParameter.Timeout");
    assertThat(error.getMessage()).contains("1 to 86400");
  }

  @Test
  void runCommand_unknownDesktops_notFound404() {
    TeaException error =
        catchThrowableOfType(
            TeaException.class,
            () ->
                client.runCommand(
                    new RunCommandRequest()
                        .setRegionId("cn-hangzhou")
                        .setType("RunShellScript")
                        .setCommandContent("echo")
                        .setDesktopId(List.of("ecd-nothere"))));

    assertThat(error.getCode()).isEqualTo("InvalidDesktopId.NotFound");
    assertThat(error.getStatusCode()).isEqualTo(404);
  }

  @Test
  void stopInvocation_unknown_notFound() {
    TeaException error =
        catchThrowableOfType(
            TeaException.class,
            () ->
                client.stopInvocation(
                    new StopInvocationRequest()
                        .setRegionId("cn-hangzhou")
                        .setInvokeId("t-000000000000000000000000")));

    assertThat(error.getCode()).isEqualTo("InvalidInvokeId.NotFound");
  }

  @Test
  void describeInvocations_forgedToken_rejected() {
    TeaException error =
        catchThrowableOfType(
            TeaException.class,
            () ->
                client.describeInvocations(
                    new DescribeInvocationsRequest()
                        .setRegionId("cn-hangzhou")
                        .setNextToken("forged")));

    assertThat(error.getCode()).isEqualTo("InvalidParameter.NextToken");
  }

  @Test
  void describeInvocations_otherAccountKey_seesNothing() throws Exception {
    String invokeId = runCommand("echo private");
    var other = server.accounts().createAccount("second");
    Client otherClient = client(other.accessKeyId(), other.accessKeySecret());

    var invocations =
        otherClient
            .describeInvocations(
                new DescribeInvocationsRequest().setRegionId("cn-hangzhou").setInvokeId(invokeId))
            .getBody()
            .getInvocations();

    assertThat(invocations).isEmpty();
  }

  @Test
  void describeDesktops_ownAction_listsEnrolledDesktop() throws Exception {
    Map<String, Object> response =
        callOwnAction(
            "DescribeDesktops", Map.of("RegionId", "cn-hangzhou", "DesktopId.1", desktopId));

    assertThat(((Number) response.get("TotalCount")).intValue()).isEqualTo(1);
    assertThat(response.get("Desktops").toString()).contains(desktopId).contains("sdk-host");
  }
}
