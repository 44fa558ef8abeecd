package io.deskrun.cli.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.deskrun.server.DeskrunServer;
import io.deskrun.server.ServerConfig;
import io.deskrun.server.gateway.Signatures;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tests the API client against the real server, and against a plain JDK HTTP server where the test
 * needs to see the raw request or an answer no deskrun server gives (a reverse proxy's HTML page).
 */
class ApiClientTest {
  @TempDir Path temp;

  private static final Credentials TEST_CREDENTIALS =
      new Credentials("testid", "testsecret", "127.0.0.1:18081", "cn-hangzhou");

  private HttpServer server;
  private final List<RecordedRequest> requests = new CopyOnWriteArrayList<>();
  private volatile int responseStatus = 200;
  private volatile String responseBody = "{\"RequestId\":\"R1\",\"InvokeId\":\"t-1\"}";

  record RecordedRequest(String method, String rawQuery, byte[] body) {}

  @BeforeEach
  void startHttpServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", this::answer);
    server.start();
  }

  @AfterEach
  void stopHttpServer() {
    server.stop(0);
  }

  private void answer(HttpExchange exchange) throws IOException {
    byte[] body = exchange.getRequestBody().readAllBytes();
    requests.add(
        new RecordedRequest(
            exchange.getRequestMethod(), exchange.getRequestURI().getRawQuery(), body));

    byte[] response = responseBody.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().add("Content-Type", "application/json;charset=utf-8");
    exchange.sendResponseHeaders(responseStatus, response.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(response);
    }
  }

  private static ApiClient fixedClient(Credentials credentials, String nonce) {
    Clock clock = Clock.fixed(Instant.parse("2026-12-04T19:19:36Z"), ZoneOffset.UTC);
    return new ApiClient(credentials, HttpClient.newHttpClient(), clock, () -> nonce);
  }

  private ApiClient clientOfLocalServer() {
    Credentials credentials =
        new Credentials(
            "testid", "testsecret", "127.0.0.1:" + server.getAddress().getPort(), "cn-hangzhou");
    return ApiClient.create(credentials);
  }

  @Test
  void signedParameters_sdkTestVector_matchesSdkSignature() {
    ApiClient client = fixedClient(TEST_CREDENTIALS, "3cdc8315dc510a61dd796497cd957261");
    Map<String, String> parameters = new LinkedHashMap<>();
    parameters.put("DesktopId.1", "ecd-a");
    parameters.put("DesktopId.2", "ecd-b");
    parameters.put("Timeout", "60");
    parameters.put("CommandContent", "ipconfig");
    parameters.put("Type", "RunPowerShellScript");

    Map<String, String> signed = client.signedParameters("RunCommand", parameters);

    assertThat(signed.get("Signature")).isEqualTo("qBlZ3Zpo0DUj6pb9yZ9+JJBEKx0=");
    assertThat(signed)
        .containsEntry("Timestamp", "2026-12-04T19:19:36Z")
        .containsEntry("SignatureNonce", "3cdc8315dc510a61dd796497cd957261")
        .containsEntry("Version", "2020-09-30")
        .containsEntry("RegionId", "cn-hangzhou");
  }

  @Test
  void signedParameters_explicitRegion_overridesCredentialsRegion() {
    ApiClient client = fixedClient(TEST_CREDENTIALS, "n1");

    Map<String, String> signed =
        client.signedParameters("DescribeDesktops", Map.of("RegionId", "cn-shanghai"));

    assertThat(signed).containsEntry("RegionId", "cn-shanghai");
  }

  @Test
  void queryString_reservedCharacters_percentEncodedLikeSignature() {
    Map<String, String> parameters = new LinkedHashMap<>();
    parameters.put("CommandContent", "echo a+b *~ ¡hola!");

    String query = ApiClient.queryString(parameters);

    assertThat(query).isEqualTo("CommandContent=echo%20a%2Bb%20%2A~%20%C2%A1hola%21");
  }

  @Test
  void call_realServer_signatureAccepted() {
    try (DeskrunServer real = DeskrunServer.start(ServerConfig.forDataDir(temp))) {
      ApiClient client =
          ApiClient.create(CredentialsResolver.fromBootstrapFile(real.bootstrapCredentialsFile()));

      JsonNode response = client.call("DescribeDesktops", Map.of("MaxResults", "5"));

      assertThat(response.path("RequestId").asText()).isNotEmpty();
      assertThat(response.path("TotalCount").asInt()).isZero();
    }
  }

  @Test
  void call_realServerRejects_raisesApiError() {
    try (DeskrunServer real = DeskrunServer.start(ServerConfig.forDataDir(temp))) {
      ApiClient client =
          ApiClient.create(CredentialsResolver.fromBootstrapFile(real.bootstrapCredentialsFile()));
      Map<String, String> parameters =
          Map.of(
              "Type", "RunShellScript",
              "CommandContent", "echo 你好",
              "DesktopId.1", "ecd-00000000000000000000",
              "Timeout", "0");

      assertThatThrownBy(() -> client.call("RunCommand", parameters))
          .isInstanceOfSatisfying(
              ApiCallException.class,
              e -> {
                assertThat(e.code()).isEqualTo("InvalidParameter.Timeout");
                assertThat(e.getMessage()).contains("\"0\"");
                assertThat(e.requestId()).matches("[0-9A-F-]{36}");
                assertThat(e.httpStatus()).isEqualTo(400);
              });
    }
  }

  @Test
  void call_query_sentAsSignedPostWithEmptyBody() {
    clientOfLocalServer().call("RunCommand", Map.of("CommandContent", "echo 你好"));

    RecordedRequest request = requests.getFirst();
    assertThat(request.method()).isEqualTo("POST");
    assertThat(request.body()).isEmpty();
    Map<String, String> received = decodeQuery(request.rawQuery());
    assertThat(received)
        .containsEntry("Action", "RunCommand")
        .containsEntry("CommandContent", "echo 你好");
    String expected = Signatures.v1("POST", received, "testsecret", false);
    assertThat(received.get("Signature")).isEqualTo(expected);
  }

  @Test
  void call_nonJsonAnswer_raisesUnreachableWithStatus() {
    responseStatus = 502;
    responseBody = "<html>Bad Gateway</html>";

    assertThatThrownBy(() -> clientOfLocalServer().call("DescribeDesktops", Map.of()))
        .isInstanceOf(ServerUnreachableException.class)
        .hasMessageContaining("HTTP 502")
        .hasMessageContaining("<html>Bad Gateway");
  }

  @Test
  void call_closedPort_raisesUnreachableNamingEndpoint() {
    String endpoint = "127.0.0.1:" + server.getAddress().getPort();
    server.stop(0);
    ApiClient client = ApiClient.create(new Credentials("a", "b", endpoint, "cn-hangzhou"));

    assertThatThrownBy(() -> client.call("DescribeDesktops", Map.of()))
        .isInstanceOf(ServerUnreachableException.class)
        .hasMessageContaining("Cannot connect to " + endpoint);
  }

  @Test
  void endpointUri_bareHostPort_usesHttp() {
    assertThat(TEST_CREDENTIALS.endpointUri().toString()).isEqualTo("http://127.0.0.1:18081/");
    Credentials https = new Credentials("a", "b", "https://127.0.0.1:8443", "cn-hangzhou");
    assertThat(https.endpointUri().toString()).isEqualTo("https://127.0.0.1:8443/");
  }

  @Test
  void toString_credentials_hidesSecret() {
    assertThat(TEST_CREDENTIALS.toString()).contains("testid").doesNotContain("testsecret");
  }

  private static Map<String, String> decodeQuery(String rawQuery) {
    Map<String, String> parameters = new LinkedHashMap<>();
    for (String pair : rawQuery.split("&")) {
      int equals = pair.indexOf('=');
      parameters.put(
          URLDecoder.decode(pair.substring(0, equals), StandardCharsets.UTF_8),
          URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8));
    }
    return parameters;
  }
}
