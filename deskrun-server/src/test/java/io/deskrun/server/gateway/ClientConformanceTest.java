package io.deskrun.server.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.deskrun.server.gateway.ClientShape.Outcome;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every client shape against the real server with a real agent: each one runs a command, reads a
 * finished invocation with its output, and gets the API error for an unknown invocation.
 */
class ClientConformanceTest {
  @TempDir static Path dir;

  private static LiveServer server;
  private static String desktopId;
  private static String finishedInvokeId;

  @BeforeAll
  static void start() throws Exception {
    server = LiveServer.start(dir.resolve("server"));
    desktopId = server.enrollAgent(dir.resolve("agent"));
    finishedInvokeId = server.runToEnd(desktopId, "echo conformance a+b '*~'");
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  private static void assumeRunnable(ClientShape shape) {
    if (shape == ClientShape.NODE_POP_CORE_GET || shape == ClientShape.NODE_POP_CORE_POST) {
      String reason = ClientShape.NodeClient.unavailableReason();
      assumeTrue(reason == null, reason);
    }
  }

  @ParameterizedTest
  @EnumSource(ClientShape.class)
  void describeInvocations_everyClient_returnsFinishedRunWithOutput(ClientShape shape)
      throws Exception {
    assumeRunnable(shape);

    Outcome outcome =
        shape.call(
            server,
            "DescribeInvocations",
            Map.of(
                "InvokeId", finishedInvokeId,
                "IncludeOutput", "true",
                "ContentEncoding", "PlainText"));

    assertThat(outcome.code()).isNull();
    assertThat(outcome.status()).isEqualTo(200);
    assertThat(outcome.body().get("RequestId").asText()).matches("[0-9A-F-]{36}");
    JsonNode invocation = outcome.body().get("Invocations").get(0);
    assertThat(invocation.get("InvokeId").asText()).isEqualTo(finishedInvokeId);
    assertThat(invocation.get("InvocationStatus").asText()).isEqualTo("Success");
    assertThat(invocation.get("InvokeDesktopCount").isIntegralNumber()).isTrue();
    JsonNode target = invocation.get("InvokeDesktops").get(0);
    assertThat(target.get("DesktopId").asText()).isEqualTo(desktopId);
    assertThat(target.get("ExitCode").isIntegralNumber()).isTrue();
    assertThat(target.get("ExitCode").asLong()).isZero();
    assertThat(target.get("Output").asText()).isEqualTo("conformance a+b *~\n");
  }

  @ParameterizedTest
  @EnumSource(ClientShape.class)
  void runCommand_everyClient_returnsInvokeIdWithListParameter(ClientShape shape) throws Exception {
    assumeRunnable(shape);

    Outcome outcome =
        shape.call(
            server,
            "RunCommand",
            Map.of(
                "DesktopId.1",
                desktopId,
                "Type",
                "RunShellScript",
                "CommandContent",
                "echo " + shape.name().toLowerCase(java.util.Locale.ROOT),
                "Timeout",
                "30"));

    assertThat(outcome.code()).isNull();
    assertThat(outcome.body().get("InvokeId").asText()).matches("t-[a-z0-9]{24}");
  }

  @ParameterizedTest
  @EnumSource(ClientShape.class)
  void stopInvocation_unknownInvokeId_everyClientSeesInvalidInvokeIdNotFound(ClientShape shape)
      throws Exception {
    assumeRunnable(shape);

    Outcome outcome =
        shape.call(server, "StopInvocation", Map.of("InvokeId", "t-000000000000000000000000"));

    assertThat(outcome.code()).isEqualTo("InvalidInvokeId.NotFound");
    if (outcome.status() != Outcome.UNKNOWN_STATUS) {
      assertThat(outcome.status()).isEqualTo(404);
    }
    if (outcome.body() != null && outcome.body().has("Message")) {
      assertThat(outcome.body().get("Message").asText()).contains("t-000000000000000000000000");
      assertThat(outcome.body().get("Recommend").asText()).isNotBlank();
    }
  }
}
