package io.deskrun.server.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.aliyun.ecd20200930.Client;
import com.aliyun.ecd20200930.models.DescribeInvocationsRequest;
import com.aliyun.ecd20200930.models.DescribeInvocationsResponseBody.DescribeInvocationsResponseBodyInvocations;
import com.aliyun.ecd20200930.models.RunCommandRequest;
import com.aliyun.teaopenapi.models.OpenApiRequest;
import com.aliyun.teaopenapi.models.Params;
import com.aliyun.teautil.models.RuntimeOptions;
import io.deskrun.agent.Agent;
import io.deskrun.agent.AgentConfig;
import io.deskrun.agent.AgentException;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real agent against the real server serving HTTPS with a certificate that a private CA, made
 * with keytool, signed. With the CA's PEM file as its trusted certificate the agent enrolls and
 * runs a script; without it the enrollment fails on the certificate.
 */
class AgentTlsTest {
  @TempDir static Path dir;

  private static Path caPem;
  private static LiveServer server;
  private static final List<Agent> agents = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    TestCertificates.ServerFiles tls =
        TestCertificates.signedByPrivateCa(dir.resolve("tls"), TestCertificates.LOOPBACK_NAMES);
    caPem = tls.trustedCertificate();

    server =
        LiveServer.start(
            dir.resolve("server"), config -> config.withTls(tls.certificate(), tls.key()));
  }

  @AfterAll
  static void stop() {
    for (Agent agent : agents) {
      agent.close();
    }
    if (server != null) {
      server.close();
    }
  }

  /** Returns SDK options that trust the private CA, as an administrator would configure them. */
  private static RuntimeOptions trustingCa() throws IOException {
    return new RuntimeOptions().setCa(Files.readString(caPem));
  }

  private static Client httpsClient() throws Exception {
    return new Client(server.config().setProtocol("HTTPS"));
  }

  /** Creates an activation over HTTPS and returns its id and code. */
  private static Map<String, ?> createActivation() throws Exception {
    Params params =
        new Params()
            .setAction("CreateActivation")
            .setVersion(Gateway.API_VERSION)
            .setProtocol("HTTPS")
            .setPathname("/")
            .setMethod("POST")
            .setAuthType("AK")
            .setStyle("RPC")
            .setReqBodyType("formData")
            .setBodyType("json");
    OpenApiRequest request =
        new OpenApiRequest().setQuery(Map.of("RegionId", LiveServer.REGION, "InstanceCount", "2"));
    Map<String, ?> response = httpsClient().callApi(params, request, trustingCa());
    @SuppressWarnings("unchecked")
    Map<String, ?> body = (Map<String, ?>) response.get("body");
    return body;
  }

  private static AgentConfig.Builder agentConfig(String name) throws Exception {
    Map<String, ?> activation = createActivation();
    Path stateDir = Files.createDirectories(dir.resolve(name));
    return AgentConfig.builder()
        .server(URI.create("https://" + server.server().endpoint()))
        .stateDir(stateDir)
        .activation(
            String.valueOf(activation.get("ActivationId")),
            String.valueOf(activation.get("ActivationCode")))
        .regionId(LiveServer.REGION)
        .pollWaitSeconds(5);
  }

  @Test
  void agent_trustingPrivateCa_runsScript() throws Exception {
    Agent agent = Agent.start(agentConfig("trusting").trustedCertificate(caPem).build());
    agents.add(agent);

    String invokeId =
        httpsClient()
            .runCommandWithOptions(
                new RunCommandRequest()
                    .setRegionId(LiveServer.REGION)
                    .setDesktopId(List.of(agent.desktopId()))
                    .setType("RunShellScript")
                    .setCommandContent("echo over-tls"),
                trustingCa())
            .getBody()
            .getInvokeId();
    DescribeInvocationsResponseBodyInvocations invocation = awaitFinal(invokeId);

    assertThat(invocation.getInvocationStatus()).isEqualTo("Success");
    assertThat(invocation.getInvokeDesktops().getFirst().getExitCode()).isZero();
    assertThat(invocation.getInvokeDesktops().getFirst().getOutput()).contains("over-tls");
  }

  @Test
  void agent_withoutCaCertificate_enrollmentFails() throws Exception {
    AgentConfig config = agentConfig("untrusting").build();

    assertThatThrownBy(() -> agents.add(Agent.start(config)))
        .isInstanceOf(AgentException.class)
        .hasMessageContaining("enrollment")
        .hasMessageContaining("https://" + server.server().endpoint())
        .hasMessageContaining("SSLHandshakeException");
  }

  private static DescribeInvocationsResponseBodyInvocations awaitFinal(String invokeId)
      throws Exception {
    DescribeInvocationsRequest request =
        new DescribeInvocationsRequest()
            .setRegionId(LiveServer.REGION)
            .setInvokeId(invokeId)
            .setIncludeOutput(true)
            .setContentEncoding("PlainText");
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (true) {
      DescribeInvocationsResponseBodyInvocations invocation =
          httpsClient()
              .describeInvocationsWithOptions(request, trustingCa())
              .getBody()
              .getInvocations()
              .getFirst();
      if (!List.of("Pending", "Running", "Stopping").contains(invocation.getInvocationStatus())) {
        return invocation;
      }
      assertThat(System.nanoTime())
          .as("invocation %s final within 60 s", invokeId)
          .isLessThan(deadline);
      Thread.sleep(50);
    }
  }
}
