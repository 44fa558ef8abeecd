package io.deskrun.server.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.aliyun.ecd20200930.Client;
import com.aliyun.ecd20200930.models.DescribeInvocationsRequest;
import com.aliyun.teautil.models.RuntimeOptions;
import com.aliyuncs.CommonRequest;
import com.aliyuncs.CommonResponse;
import com.aliyuncs.DefaultAcsClient;
import com.aliyuncs.http.FormatType;
import com.aliyuncs.http.HttpClientConfig;
import com.aliyuncs.http.HttpClientType;
import com.aliyuncs.http.MethodType;
import com.aliyuncs.http.ProtocolType;
import com.aliyuncs.profile.DefaultProfile;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.deskrun.server.DeskrunServer;
import io.deskrun.server.ServerConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real server with {@code tls-cert} and {@code tls-key} set to a self-signed certificate that
 * keytool makes for 127.0.0.1; the SDKs reach it over HTTPS with a trust store holding only that
 * certificate.
 */
class TlsTest {
  @TempDir static Path dir;

  private static Path certificatePem;
  private static KeyStore trustStore;
  private static LiveServer server;

  @BeforeAll
  static void start() throws Exception {
    TestCertificates.ServerFiles tls = TestCertificates.selfSigned(dir.resolve("tls"));
    certificatePem = tls.certificate();
    trustStore = tls.trustStore();

    server =
        LiveServer.start(
            dir.resolve("server"), config -> config.withTls(tls.certificate(), tls.key()));
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void bootstrapCredentials_tlsServer_protocolHttps() throws Exception {
    JsonNode credentials =
        new ObjectMapper().readTree(server.server().bootstrapCredentialsFile().toFile());

    assertThat(credentials.path("Protocol").asText()).isEqualTo("https");
    assertThat(credentials.path("Endpoint").asText()).isEqualTo("127.0.0.1:" + server.port());
  }

  @Test
  void teaSdk_httpsWithServerCertificateAsCa_describesInvocations() throws Exception {
    Client client = new Client(server.config().setProtocol("HTTPS"));
    RuntimeOptions runtime = new RuntimeOptions().setCa(Files.readString(certificatePem));

    var response =
        client.describeInvocationsWithOptions(
            new DescribeInvocationsRequest().setRegionId(LiveServer.REGION), runtime);

    assertThat(response.getStatusCode()).isEqualTo(200);
    assertThat(response.getBody().getRequestId()).isNotBlank();
  }

  @Test
  void legacySdk_httpsWithTrustStore_describesInvocations() throws Exception {
    TrustManagerFactory trust =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trust.init(trustStore);
    HttpClientConfig http = HttpClientConfig.getDefault();
    // The SDK's default Apache client is one instance per JVM that keeps the TLS settings of its
    // first use, so this test takes the client type that reads them per DefaultAcsClient.
    http.setClientType(HttpClientType.Compatible);
    http.setProtocolType(ProtocolType.HTTPS);
    http.setX509TrustManagers(
        new X509TrustManager[] {(X509TrustManager) trust.getTrustManagers()[0]});
    DefaultProfile profile =
        DefaultProfile.getProfile(LiveServer.REGION, server.keyId(), server.secret());
    profile.setHttpClientConfig(http);
    DefaultAcsClient client = new DefaultAcsClient(profile);
    try {
      CommonRequest request = new CommonRequest();
      request.setSysMethod(MethodType.POST);
      request.setSysProtocol(ProtocolType.HTTPS);
      request.setSysDomain(server.server().endpoint());
      request.setSysVersion(Gateway.API_VERSION);
      request.setSysAction("DescribeInvocations");
      request.setSysAccept(FormatType.JSON);
      request.putQueryParameter("RegionId", LiveServer.REGION);

      CommonResponse response = client.getCommonResponse(request);

      assertThat(response.getHttpStatus()).isEqualTo(200);
      assertThat(response.getData()).contains("\"Invocations\"");
    } finally {
      client.shutdown();
    }
  }

  @Test
  void javaClient_withoutTrustStore_rejectsCertificate() {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + server.port() + "/"))
            .timeout(Duration.ofSeconds(10))
            .build();

    assertThatThrownBy(() -> http.send(request, HttpResponse.BodyHandlers.ofString()))
        .isInstanceOf(javax.net.ssl.SSLHandshakeException.class);
  }

  @Test
  void javaClient_withTrustStore_getsJsonEnvelopeOverHttps() throws Exception {
    TrustManagerFactory trust =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trust.init(trustStore);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, trust.getTrustManagers(), null);
    HttpClient http =
        HttpClient.newBuilder().sslContext(context).connectTimeout(Duration.ofSeconds(5)).build();
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + server.port() + "/?Action=x"))
            .timeout(Duration.ofSeconds(10))
            .build();

    HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(404);
    assertThat(response.body()).contains("\"Code\":\"InvalidAction.NotFound\"");
  }

  @Test
  void start_keyFileWithoutPkcs8Key_failsNamingFileAndForm() throws Exception {
    Path notAKey = Files.writeString(dir.resolve("empty.key"), "no key here\n");
    ServerConfig config =
        ServerConfig.forDataDir(dir.resolve("bad")).withTls(certificatePem, notAKey);

    assertThatThrownBy(() -> DeskrunServer.start(config).close())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("tls-key")
        .hasMessageContaining(notAKey.toString())
        .hasMessageContaining("BEGIN PRIVATE KEY");
  }

  @Test
  void start_mismatchedKey_fails() throws Exception {
    TestCertificates.ServerFiles other = TestCertificates.selfSigned(dir.resolve("other-tls"));
    ServerConfig config =
        ServerConfig.forDataDir(dir.resolve("mismatch")).withTls(certificatePem, other.key());

    assertThatThrownBy(() -> DeskrunServer.start(config).close())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("does not belong to the first certificate")
        .hasMessageContaining(other.key().toString())
        .hasMessageContaining(certificatePem.toString());
  }

  @Test
  void withTls_certificateWithoutKey_failsNamingBothSettings() {
    ServerConfig config = ServerConfig.forDataDir(dir.resolve("half"));

    assertThatThrownBy(() -> config.withTls(certificatePem, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("tls-cert")
        .hasMessageContaining("tls-key");
  }
}
