package io.deskrun.server.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.aliyun.ecd20200930.Client;
import com.aliyun.ecd20200930.models.RunCommandRequest;
import com.aliyun.ecd20200930.models.RunCommandResponse;
import com.aliyun.tea.TeaException;
import com.aliyun.teaopenapi.models.Config;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Calls the gateway with the official ECD Java SDK ({@code com.aliyun:ecd20200930}), which signs
 * with the real system time, so the gateway runs on the system clock here.
 */
class SdkCompatibilityTest {
  private static final AtomicReference<ApiRequest> lastRequest = new AtomicReference<>();
  private static TestGateway server;

  @BeforeAll
  static void start() {
    server =
        new TestGateway(
            Map.of("RunCommand", SdkCompatibilityTest::runCommand), InstantSource.system());
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static Map<String, Object> runCommand(ApiRequest request) {
    lastRequest.set(request);
    List<String> desktops = request.parameters().list("DesktopId", 100);
    if (desktops.contains("ecd-missing")) {
      throw new ApiException(
          ApiError.DESKTOP_NOT_FOUND, "The DesktopId ecd-missing does not exist.");
    }
    return Map.of("InvokeId", "t-sdk-" + desktops.size());
  }

  private static Client client() throws Exception {
    Config config =
        new Config()
            .setAccessKeyId(TestGateway.KEY_ID)
            .setAccessKeySecret(TestGateway.SECRET)
            .setEndpoint("127.0.0.1:" + server.port())
            .setProtocol("HTTP")
            .setRegionId(TestGateway.REGION)
            .setConnectTimeout(5_000)
            .setReadTimeout(10_000);
    return new Client(config);
  }

  private static RunCommandRequest runCommandRequest(String... desktopIds) {
    return new RunCommandRequest()
        .setRegionId(TestGateway.REGION)
        .setDesktopId(List.of(desktopIds))
        .setCommandContent("Write-Output \"a b * ~ é\"")
        .setType("RunPowerShellScript")
        .setTimeout(60L);
  }

  @Test
  void runCommand_sdkWithV1_returnsInvokeId() throws Exception {
    RunCommandResponse response = client().runCommand(runCommandRequest("ecd-a", "ecd-b"));

    assertThat(response.getStatusCode()).isEqualTo(200);
    assertThat(response.getBody().getInvokeId()).isEqualTo("t-sdk-2");
    assertThat(response.getBody().getRequestId()).isEqualTo(lastRequest.get().requestId());
    assertThat(lastRequest.get().parameters().required("CommandContent"))
        .isEqualTo("Write-Output \"a b * ~ é\"");
    assertThat(lastRequest.get().parameters().required("SignatureMethod")).isEqualTo("HMAC-SHA1");
  }

  @Test
  void runCommand_sdkWithV3_returnsInvokeId() throws Exception {
    Client client = client();
    client._signatureAlgorithm = null;

    RunCommandResponse response = client.runCommand(runCommandRequest("ecd-a"));

    assertThat(response.getStatusCode()).isEqualTo(200);
    assertThat(response.getBody().getInvokeId()).isEqualTo("t-sdk-1");
    assertThat(lastRequest.get().parameters().optional("Signature")).isEmpty();
    assertThat(lastRequest.get().parameters().required("CommandContent"))
        .isEqualTo("Write-Output \"a b * ~ é\"");
  }

  @Test
  void runCommand_handlerApiException_reachesSdkAsTeaException() throws Exception {
    Client client = client();

    TeaException error =
        catchThrowableOfType(
            TeaException.class, () -> client.runCommand(runCommandRequest("ecd-missing")));

    assertThat(error.getCode()).isEqualTo("InvalidDesktopId.NotFound");
    assertThat(error.getData().get("Message"))
        .isEqualTo("The DesktopId ecd-missing does not exist.");
    assertThat(error.getData().get("statusCode")).isEqualTo(404);
  }

  @Test
  void runCommand_wrongSecret_reachesSdkAsSignatureDoesNotMatch() throws Exception {
    Config config =
        new Config()
            .setAccessKeyId(TestGateway.KEY_ID)
            .setAccessKeySecret("wrongsecret")
            .setEndpoint("127.0.0.1:" + server.port())
            .setProtocol("HTTP")
            .setRegionId(TestGateway.REGION);
    Client client = new Client(config);

    TeaException error =
        catchThrowableOfType(
            TeaException.class, () -> client.runCommand(runCommandRequest("ecd-a")));

    assertThat(error.getCode()).isEqualTo("SignatureDoesNotMatch");
  }
}
