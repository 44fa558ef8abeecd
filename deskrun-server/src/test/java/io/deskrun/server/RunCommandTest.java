package io.deskrun.server;

import static io.deskrun.server.ServerFixture.params;
import static io.deskrun.server.ServerFixture.with;
import static org.assertj.core.api.Assertions.assertThat;

import io.deskrun.protocol.ScriptType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunCommandTest {
  @TempDir static Path dataDir;
  static ServerFixture server;
  static ServerFixture.Enrolled desktop;

  @BeforeAll
  static void start() {
    server = new ServerFixture(dataDir);
    desktop = server.enrollDesktop();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static Map<String, String> valid() {
    return params(
        "Type", "RunShellScript", "CommandContent", "echo hi", "DesktopId.1", desktop.desktopId());
  }

  private static void assertRejected(Map<String, String> parameters, String code, String fragment) {
    ServerFixture.ApiFailure error = server.failure("RunCommand", parameters);
    assertThat(error).as("expected %s", code).isNotNull();
    assertThat(error.code()).isEqualTo(code);
    assertThat(error.getMessage()).contains(fragment);
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> targetsOf(String invokeId) {
    Map<String, Object> described =
        server.call("DescribeInvocations", params("InvokeId", invokeId));
    List<Map<String, Object>> invocations =
        (List<Map<String, Object>>) described.get("Invocations");
    return (List<Map<String, Object>>) invocations.get(0).get("InvokeDesktops");
  }

  @Test
  void runCommand_valid_returnsInvokeId() {
    Map<String, Object> response = server.call("RunCommand", valid());

    assertThat((String) response.get("InvokeId")).matches("t-[a-z0-9]{24}");
  }

  @Test
  void runCommand_missingType_missingParameter() {
    Map<String, String> parameters = new HashMap<>(valid());
    parameters.remove("Type");

    assertRejected(parameters, "MissingParameter", "Type");
  }

  @Test
  void runCommand_emptyCommandContent_missingParameter() {
    assertRejected(with(valid(), "CommandContent", ""), "MissingParameter", "CommandContent");
  }

  @Test
  void runCommand_noDesktopId_missingParameter() {
    Map<String, String> parameters = new HashMap<>(valid());
    parameters.remove("DesktopId.1");

    assertRejected(parameters, "MissingParameter", "DesktopId");
  }

  @Test
  void runCommand_unknownType_listsValidTypes() {
    assertRejected(
        with(valid(), "Type", "RunPythonScript"), "InvalidParameter.Type", "RunPowerShellScript");
  }

  @Test
  void runCommand_typeInWrongCase_rejected() {
    assertRejected(
        with(valid(), "Type", "runshellscript"), "InvalidParameter.Type", "runshellscript");
  }

  @Test
  void runCommand_base64WithoutPadding_accepted() {
    Map<String, Object> response =
        server.call(
            "RunCommand",
            with(valid(), "CommandContent", "ZWNobyBoaQ", "ContentEncoding", "Base64"));

    assertThat(response).containsKey("InvokeId");
  }

  @Test
  void runCommand_base64WithPaddingAnyCase_accepted() {
    Map<String, Object> response =
        server.call(
            "RunCommand",
            with(valid(), "CommandContent", "ZWNobyBoaQ==", "ContentEncoding", "bAsE64"));

    assertThat(response).containsKey("InvokeId");
  }

  @Test
  void runCommand_urlSafeBase64_rejected() {
    String urlSafe =
        Base64.getUrlEncoder()
            .encodeToString("echo \u00ff\u00fe?>".getBytes(StandardCharsets.UTF_8));
    assertThat(urlSafe).containsAnyOf("-", "_");

    assertRejected(
        with(valid(), "CommandContent", urlSafe, "ContentEncoding", "Base64"),
        "InvalidParameter.CommandContent",
        "Base64");
  }

  @Test
  void runCommand_base64WithWhitespace_rejected() {
    assertRejected(
        with(valid(), "CommandContent", "ZWNo byBoaQ==", "ContentEncoding", "Base64"),
        "InvalidParameter.CommandContent",
        "whitespace");
  }

  @Test
  void runCommand_base64BadPadding_rejected() {
    assertRejected(
        with(valid(), "CommandContent", "ZWNobyBoaQ=", "ContentEncoding", "Base64"),
        "InvalidParameter.CommandContent",
        "Base64");
  }

  @Test
  void runCommand_base64OverLimit_rejectedNamingLimit() {
    String script = "echo " + "x".repeat(12_400) + "\n";
    String encoded = Base64.getEncoder().encodeToString(script.getBytes(StandardCharsets.UTF_8));
    assertThat(encoded.length()).isGreaterThan(16_384);

    assertRejected(
        with(valid(), "CommandContent", encoded, "ContentEncoding", "Base64"),
        "InvalidParameter.CommandContent",
        "16 KB");
  }

  @Test
  void runCommand_base64AtLimit_accepted() {
    byte[] script = ("echo " + "x".repeat(12_288 - 6) + "\n").getBytes(StandardCharsets.UTF_8);
    String encoded = Base64.getEncoder().encodeToString(script);
    assertThat(encoded.length()).isEqualTo(16_384);

    Map<String, Object> response =
        server.call(
            "RunCommand", with(valid(), "CommandContent", encoded, "ContentEncoding", "Base64"));

    assertThat(response).containsKey("InvokeId");
  }

  @Test
  void runCommand_plainTextOverByteLimit_rejected() {
    String script = "echo " + "\u00e9".repeat(6_200);

    assertRejected(
        with(valid(), "CommandContent", script), "InvalidParameter.CommandContent", "12288 bytes");
  }

  @Test
  void runCommand_base64NotUtf8_rejected() {
    String encoded = Base64.getEncoder().encodeToString(new byte[] {'e', 'c', (byte) 0xC3, 0x28});

    assertRejected(
        with(valid(), "CommandContent", encoded, "ContentEncoding", "Base64"),
        "InvalidParameter.CommandContent",
        "UTF-8");
  }

  @Test
  void runCommand_blankScript_rejected() {
    assertRejected(
        with(valid(), "CommandContent", "   \n\t"), "InvalidParameter.CommandContent", "blank");
  }

  /** An unknown value, like PlainText in any case, keeps the content as it was sent. */
  @Test
  void runCommand_plainOrUnknownEncoding_storedAsSent() {
    for (String encoding : List.of("Gzip", "plainTEXT")) {
      Map<String, Object> response =
          server.call(
              "RunCommand",
              with(valid(), "CommandContent", "ZWNobyBoaQ==", "ContentEncoding", encoding));
      Map<String, Object> described =
          server.call(
              "DescribeInvocations",
              params(
                  "InvokeId", (String) response.get("InvokeId"), "ContentEncoding", "PlainText"));

      assertThat(described.get("Invocations").toString())
          .as(encoding)
          .contains("CommandContent=ZWNobyBoaQ==");
    }
  }

  @Test
  void runCommand_desktopIndexOutOfRange_rejected() {
    assertRejected(
        with(valid(), "DesktopId.51", desktop.desktopId()),
        "InvalidParameter.DesktopId",
        "1 to 50");
  }

  @Test
  void runCommand_desktopIndexZero_rejected() {
    assertRejected(
        with(valid(), "DesktopId.0", desktop.desktopId()), "InvalidParameter.DesktopId", "index");
  }

  @Test
  void runCommand_duplicateDesktopIds_collapsed() {
    Map<String, Object> response =
        server.call(
            "RunCommand",
            with(valid(), "DesktopId.2", desktop.desktopId(), "DesktopId.3", desktop.desktopId()));

    assertThat(targetsOf((String) response.get("InvokeId"))).hasSize(1);
  }

  @Test
  void runCommand_timeoutOutOfRange_rejected() {
    for (String timeout : List.of("0", "86401", "-5", "1.5", "abc")) {
      assertRejected(
          with(valid(), "Timeout", timeout), "InvalidParameter.Timeout", "\"" + timeout + "\"");
    }
  }

  @Test
  void runCommand_timeoutBounds_accepted() {
    assertThat(server.call("RunCommand", with(valid(), "Timeout", "1"))).containsKey("InvokeId");
    assertThat(server.call("RunCommand", with(valid(), "Timeout", "86400")))
        .containsKey("InvokeId");
  }

  @Test
  void runCommand_endUserIdGiven_rejected() {
    assertRejected(
        with(valid(), "EndUserId", "alice"), "InvalidParameter.EndUserId", "not supported");
  }

  @Test
  void runCommand_emptyEndUserId_ignored() {
    assertThat(server.call("RunCommand", with(valid(), "EndUserId", ""))).containsKey("InvokeId");
  }

  @Test
  void runCommand_allDesktopsUnknown_desktopNotFound() {
    assertRejected(
        with(valid(), "DesktopId.1", "ecd-unknown1", "DesktopId.2", "ecd-unknown2"),
        "InvalidDesktopId.NotFound",
        "ecd-unknown2");
  }

  @Test
  void runCommand_desktopOfOtherAccount_treatedAsUnknown() {
    String other = server.otherAccount();
    // The poll leaves the desktop in the server's memory, where RunCommand looks first.
    server.poll(desktop, 1, 0, List.of());

    ServerFixture.ApiFailure error = server.failureAs(other, "RunCommand", valid());

    assertThat(error.code()).isEqualTo("InvalidDesktopId.NotFound");
  }

  @Test
  void runCommand_typeNotAdvertised_unavailableCountingReasons() {
    assertRejected(
        with(valid(), "Type", "RunBatScript", "DesktopId.2", "ecd-unknown1"),
        "InvalidDesktop.Unavailable",
        "1 not found (InstanceNotExists), 1 whose agent cannot run this Type");
  }

  @Test
  void runCommand_partialSuccess_storesFailedTargets() {
    Map<String, Object> response =
        server.call("RunCommand", with(valid(), "DesktopId.2", "ecd-unknown1"));

    List<Map<String, Object>> targets = targetsOf((String) response.get("InvokeId"));
    assertThat(targets)
        .anySatisfy(
            target -> {
              assertThat(target.get("DesktopId")).isEqualTo("ecd-unknown1");
              assertThat(target.get("InvocationStatus")).isEqualTo("Invalid");
              assertThat(target.get("ErrorCode")).isEqualTo("InstanceNotExists");
            });
    assertThat(targets)
        .anySatisfy(
            target -> {
              assertThat(target.get("DesktopId")).isEqualTo(desktop.desktopId());
              assertThat(target.get("InvocationStatus")).isEqualTo("Pending");
            });
  }

  @Test
  void runCommand_agentSilentPastHeartbeatWindow_aborted() {
    ServerFixture.Enrolled quiet = server.enrollDesktop(List.of(ScriptType.RunShellScript));
    server.clock.advance(Duration.ofSeconds(91));
    server.poll(desktop, 0, 0, List.of());

    Map<String, Object> response =
        server.call("RunCommand", with(valid(), "DesktopId.2", quiet.desktopId()));

    assertThat(targetsOf((String) response.get("InvokeId")))
        .anySatisfy(
            target -> {
              assertThat(target.get("DesktopId")).isEqualTo(quiet.desktopId());
              assertThat(target.get("InvocationStatus")).isEqualTo("Aborted");
              assertThat(target.get("ErrorCode")).isEqualTo("ClientNotRunning");
            });
  }

  @Test
  void runCommand_allFailedForMixedReasons_keepsNoInvocation() {
    int before = countInvocations();

    assertRejected(
        with(valid(), "Type", "RunBatScript"),
        "InvalidDesktop.Unavailable",
        "CommandNotApplicable");

    assertThat(countInvocations()).isEqualTo(before);
  }

  private static int countInvocations() {
    return server
        .database
        .jdbi()
        .withHandle(h -> h.createQuery("SELECT COUNT(*) FROM invocations").mapTo(int.class).one());
  }
}
