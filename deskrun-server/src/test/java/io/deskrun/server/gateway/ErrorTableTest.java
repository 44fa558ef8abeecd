package io.deskrun.server.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.deskrun.server.ServerHooks;
import io.deskrun.server.account.Accounts;
import io.deskrun.server.gateway.RawClient.Reply;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The error table of the protocol and the API against the real server: each row sends one request
 * that breaks one rule and expects the HTTP status, the code, a message naming the parameter and
 * the value, and a Recommend hint. Throttling.User and InternalError have their own tests because
 * they need a server set up for them.
 */
class ErrorTableTest {
  @TempDir static Path dir;

  private static LiveServer server;
  private static String desktopId;
  private static String activationId;
  private static String invokeId;
  private static String disabledKeyId;
  private static Accounts.NewAccessKey readOnlyKey;

  @BeforeAll
  static void start() throws Exception {
    server = LiveServer.start(dir.resolve("server"));
    Map<String, ?> activation = server.callAction("CreateActivation", Map.of());
    activationId = String.valueOf(activation.get("ActivationId"));
    desktopId = server.enrollAgent(dir.resolve("agent"));
    invokeId = server.runToEnd(desktopId, "echo done");
    Accounts.NewAccessKey key =
        server.server().accounts().createAccessKey(Accounts.DEFAULT_ACCOUNT_ID);
    server.server().accounts().setActive(key.accessKeyId(), false);
    disabledKeyId = key.accessKeyId();
    readOnlyKey = server.server().accounts().createAccessKey(Accounts.DEFAULT_ACCOUNT_ID, true);
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  /** One row: a request and what the server must answer to it. */
  record Row(
      String name,
      Function<LiveServer, Reply> request,
      int status,
      String code,
      List<String> messageParts) {
    @Override
    public String toString() {
      return name;
    }
  }

  /** Sends the action signed with V1 over GET, with these parameters added or replaced. */
  private static Function<LiveServer, Reply> get(String action, Map<String, String> parameters) {
    return live -> {
      Map<String, String> all = live.raw().parameters(action, Instant.now());
      all.putAll(parameters);
      all.values().removeIf(value -> value == null);
      return live.raw().get(RawClient.encode(live.raw().sign("GET", all)));
    };
  }

  /** Sends the action signed with V1 over GET by the read-only AccessKey. */
  private static Function<LiveServer, Reply> readOnly(
      String action, Map<String, String> parameters) {
    return live -> {
      RawClient client =
          new RawClient(live.port(), readOnlyKey.accessKeyId(), readOnlyKey.accessKeySecret());
      Map<String, String> all = client.parameters(action, Instant.now());
      all.putAll(parameters);
      return client.get(RawClient.encode(client.sign("GET", all)));
    };
  }

  /** Sends a V1 request whose parameters are changed after signing. */
  private static Function<LiveServer, Reply> tampered(Map<String, String> changes) {
    return live -> {
      Map<String, String> signed =
          live.raw().sign("GET", live.raw().parameters("DescribeInvocations", Instant.now()));
      Map<String, String> all = new LinkedHashMap<>(signed);
      all.putAll(changes);
      all.values().removeIf(value -> value == null);
      return live.raw().get(RawClient.encode(all));
    };
  }

  private static Map<String, String> params(String... namesAndValues) {
    Map<String, String> map = new LinkedHashMap<>();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      map.put(namesAndValues[i], namesAndValues[i + 1]);
    }
    return map;
  }

  private static Row row(
      String name, Function<LiveServer, Reply> request, int status, String code, String... parts) {
    return new Row(name, request, status, code, List.of(parts));
  }

  static Stream<Row> rows() {
    String run = "RunCommand";
    Map<String, String> runBase =
        params("Type", "RunShellScript", "CommandContent", "echo x", "DesktopId.1", "ecd-x");
    return Stream.of(
        row(
            "action missing",
            get("DescribeInvocations", params("Action", null)),
            400,
            "MissingParameter",
            "Action"),
        row(
            "RegionId missing",
            get("DescribeInvocations", params("RegionId", null)),
            400,
            "MissingParameter",
            "RegionId"),
        row(
            "Type missing",
            get(run, params("CommandContent", "echo", "DesktopId.1", "ecd-x")),
            400,
            "MissingParameter",
            "Type"),
        row(
            "CommandContent empty",
            get(run, with(runBase, "CommandContent", "")),
            400,
            "MissingParameter",
            "CommandContent"),
        row(
            "DesktopId missing",
            get(run, params("Type", "RunShellScript", "CommandContent", "x")),
            400,
            "MissingParameter",
            "DesktopId"),
        row(
            "InvokeId missing on StopInvocation",
            get("StopInvocation", params()),
            400,
            "MissingParameter",
            "InvokeId"),
        row(
            "ActivationId missing",
            get("DisableActivation", params()),
            400,
            "MissingParameter",
            "ActivationId"),
        row(
            "unknown Format",
            get("DescribeInvocations", params("Format", "YAML")),
            400,
            "InvalidParameter.Format",
            "Format",
            "YAML",
            "JSON or XML"),
        row(
            "unknown Type",
            get(run, with(runBase, "Type", "RunPythonScript")),
            400,
            "InvalidParameter.Type",
            "Type",
            "RunPythonScript",
            "RunShellScript"),
        row(
            "Timeout zero",
            get(run, with(runBase, "Timeout", "0")),
            400,
            "InvalidParameter.Timeout",
            "Timeout",
            "\"0\"",
            "1 to 86400"),
        row(
            "Timeout over a day",
            get(run, with(runBase, "Timeout", "86401")),
            400,
            "InvalidParameter.Timeout",
            "86401",
            "1 to 86400"),
        row(
            "Timeout not a number",
            get(run, with(runBase, "Timeout", "1e3")),
            400,
            "InvalidParameter.Timeout",
            "1e3"),
        row(
            "Timeout with a vertical tab around it",
            get(run, with(runBase, "Timeout", "\u000b30\u000b")),
            400,
            "InvalidParameter.Timeout",
            "\u000b30\u000b",
            "1 to 86400",
            "nothing around them"),
        row(
            "Base64 content malformed",
            get(run, with(with(runBase, "ContentEncoding", "Base64"), "CommandContent", "@@@")),
            400,
            "InvalidParameter.CommandContent",
            "CommandContent",
            "Base64"),
        row(
            "blank script",
            get(run, with(runBase, "CommandContent", "   ")),
            400,
            "InvalidParameter.CommandContent",
            "CommandContent"),
        row(
            "script over 12288 bytes",
            get(run, with(runBase, "CommandContent", "x".repeat(12_289))),
            400,
            "InvalidParameter.CommandContent",
            "12288"),
        row(
            "DesktopId index 51",
            get(run, with(runBase, "DesktopId.51", "ecd-y")),
            400,
            "InvalidParameter.DesktopId",
            "DesktopId.51",
            "1 to 50"),
        row(
            "DesktopId index not a number",
            get(run, with(runBase, "DesktopId.x", "ecd-y")),
            400,
            "InvalidParameter.DesktopId",
            "DesktopId.x"),
        row(
            "DesktopId index huge",
            get(run, with(runBase, "DesktopId.99999999999999999999", "ecd-y")),
            400,
            "InvalidParameter.DesktopId",
            "DesktopId.99999999999999999999"),
        row(
            "EndUserId given",
            get(run, with(runBase, "EndUserId", "alice")),
            400,
            "InvalidParameter.EndUserId",
            "EndUserId",
            "alice"),
        row(
            "MaxResults 51",
            get("DescribeInvocations", params("MaxResults", "51")),
            400,
            "InvalidParameter.MaxResults",
            "MaxResults",
            "51",
            "1 to 50"),
        row(
            "MaxResults with a control character after it",
            get("DescribeInvocations", params("MaxResults", "5\u0001")),
            400,
            "InvalidParameter.MaxResults",
            "\"5\u0001\"",
            "1 to 50"),
        row(
            "MaxResults with a space before it",
            get("DescribeInvocations", params("MaxResults", " 5")),
            400,
            "InvalidParameter.MaxResults",
            "\" 5\"",
            "nothing around them"),
        row(
            "MaxResults in Arabic-Indic digits",
            get("DescribeInvocations", params("MaxResults", "\u0665")),
            400,
            "InvalidParameter.MaxResults",
            "\u0665",
            "ASCII digits"),
        row(
            "NextToken forged",
            get("DescribeInvocations", params("NextToken", "forged")),
            400,
            "InvalidParameter.NextToken",
            "NextToken"),
        row(
            "InvokeStatus unknown",
            get("DescribeInvocations", params("InvokeStatus", "Sleeping")),
            400,
            "InvalidParameter.InvokeStatus",
            "InvokeStatus",
            "Sleeping"),
        row(
            "IncludeOutput not boolean",
            get("DescribeInvocations", params("IncludeOutput", "yes")),
            400,
            "InvalidParameter.IncludeOutput",
            "IncludeOutput",
            "yes",
            "true or false"),
        row(
            "InstanceCount over 1000",
            get("CreateActivation", params("InstanceCount", "1001")),
            400,
            "InvalidParameter.InstanceCount",
            "InstanceCount",
            "1001"),
        row(
            "StopInvocation of a desktop that is no target",
            live ->
                get("StopInvocation", params("InvokeId", invokeId, "DesktopId.1", "ecd-other"))
                    .apply(live),
            400,
            "InvalidParameter.DesktopId",
            "ecd-other"),
        row(
            "name repeated with different values",
            live ->
                live.raw()
                    .get(
                        RawClient.encode(
                                live.raw()
                                    .sign(
                                        "GET",
                                        live.raw()
                                            .parameters("DescribeInvocations", Instant.now())))
                            + "&MaxResults=5&MaxResults=6"),
            400,
            "InvalidParameter",
            "MaxResults",
            "different values"),
        row(
            "unknown action",
            get("RunPython", params()),
            404,
            "InvalidAction.NotFound",
            "RunPython"),
        row(
            "other version",
            get("DescribeInvocations", params("Version", "2014-05-26")),
            400,
            "InvalidVersion",
            "2014-05-26",
            "2020-09-30"),
        row(
            "unknown region",
            get("DescribeInvocations", params("RegionId", "mars-1")),
            404,
            "InvalidRegionId.NotFound",
            "mars-1",
            "cn-hangzhou"),
        row(
            "Signature missing",
            live ->
                live.raw()
                    .get(
                        RawClient.encode(
                            live.raw().parameters("DescribeInvocations", Instant.now()))),
            400,
            "IncompleteSignature",
            "Signature"),
        row(
            "SignatureNonce missing",
            live -> {
              Map<String, String> all = live.raw().parameters("DescribeInvocations", Instant.now());
              all.remove("SignatureNonce");
              return live.raw().get(RawClient.encode(live.raw().sign("GET", all)));
            },
            400,
            "IncompleteSignature",
            "SignatureNonce"),
        row(
            "SignatureNonce over 128 characters",
            get("DescribeInvocations", params("SignatureNonce", "n".repeat(129))),
            400,
            "IncompleteSignature",
            "SignatureNonce is 129 characters",
            "128"),
        row(
            "Content-Type malformed",
            live -> {
              Map<String, String> all = live.raw().parameters("DescribeInvocations", Instant.now());
              all.put("MaxResults", "5");
              Map<String, String> signed = live.raw().sign("POST", all);
              signed.remove("MaxResults");
              return live.raw().post(RawClient.encode(signed), "MaxResults=5", "a/b;;;=");
            },
            400,
            "InvalidParameter",
            "Content-Type",
            "a/b;;;="),
        row(
            "SignatureMethod HMAC-SHA256",
            get("DescribeInvocations", params("SignatureMethod", "HMAC-SHA256")),
            400,
            "InvalidSignatureMethod",
            "HMAC-SHA256",
            "HMAC-SHA1"),
        row(
            "unknown AccessKeyId",
            get("DescribeInvocations", params("AccessKeyId", "LTAInone")),
            404,
            "InvalidAccessKeyId.NotFound",
            "LTAInone"),
        row(
            "disabled AccessKeyId",
            live -> get("DescribeInvocations", params("AccessKeyId", disabledKeyId)).apply(live),
            400,
            "InvalidAccessKeyId.Inactive",
            "disabled"),
        row(
            "value changed after signing",
            tampered(params("MaxResults", "7")),
            400,
            "SignatureDoesNotMatch",
            "string to sign"),
        row(
            "nonce used twice",
            live -> {
              Map<String, String> signed =
                  live.raw()
                      .sign("GET", live.raw().parameters("DescribeInvocations", Instant.now()));
              live.raw().get(RawClient.encode(signed));
              return live.raw().get(RawClient.encode(signed));
            },
            400,
            "SignatureNonceUsed",
            "SignatureNonce"),
        row(
            "Timestamp 16 minutes old",
            live ->
                live.raw()
                    .get(
                        RawClient.encode(
                            live.raw()
                                .sign(
                                    "GET",
                                    live.raw()
                                        .parameters(
                                            "DescribeInvocations",
                                            Instant.now().minus(Duration.ofMinutes(16)))))),
            400,
            "InvalidTimeStamp.Expired",
            "Timestamp",
            "15 minutes"),
        row(
            "Timestamp with offset",
            get("DescribeInvocations", params("Timestamp", "2026-12-04T19:19:36+08:00")),
            400,
            "InvalidTimeStamp.Format",
            "2026-12-04T19:19:36+08:00",
            "yyyy-MM-ddTHH:mm:ssZ"),
        row(
            "SecurityToken sent",
            get("DescribeInvocations", params("SecurityToken", "sts")),
            400,
            "InvalidSecurityToken.NotSupported",
            "SecurityToken"),
        row(
            "RunCommand with a read-only AccessKey",
            live -> readOnly(run, runBase).apply(live),
            403,
            "Forbidden",
            "RunCommand",
            readOnlyKey.accessKeyId(),
            "read-only"),
        row(
            "RunCommand on unknown desktops",
            get(run, runBase),
            404,
            "InvalidDesktopId.NotFound",
            "ecd-x"),
        row(
            "RunBatScript on a Linux desktop",
            live ->
                get(run, with(with(runBase, "Type", "RunBatScript"), "DesktopId.1", desktopId))
                    .apply(live),
            400,
            "InvalidDesktop.Unavailable",
            "CommandNotApplicable"),
        row(
            "DeregisterDesktop of an unknown desktop",
            get("DeregisterDesktop", params("DesktopId", "ecd-00000000000000000000")),
            404,
            "InvalidDesktopId.NotFound",
            "ecd-00000000000000000000"),
        row(
            "StopInvocation of an unknown invocation",
            get("StopInvocation", params("InvokeId", "t-000000000000000000000000")),
            404,
            "InvalidInvokeId.NotFound",
            "t-000000000000000000000000"),
        row(
            "DisableActivation of an unknown activation",
            get("DisableActivation", params("ActivationId", "act-000000000000000000000000")),
            404,
            "InvalidActivationId.NotFound",
            "act-000000000000000000000000"),
        row(
            "DeleteActivation while a desktop uses it",
            live ->
                get("DeleteActivation", params("ActivationId", activationIdOfAgent())).apply(live),
            400,
            "InvalidActivation.InUse",
            "still has"));
  }

  private static Map<String, String> with(Map<String, String> base, String name, String value) {
    Map<String, String> copy = new LinkedHashMap<>(base);
    copy.put(name, value);
    return copy;
  }

  /** Returns the activation the agent enrolled with: the newest one, created by enrollAgent. */
  private static String activationIdOfAgent() {
    try {
      Map<String, ?> page = server.callAction("DescribeActivations", Map.of());
      List<?> activations = (List<?>) page.get("Activations");
      for (Object item : activations) {
        Map<?, ?> activation = (Map<?, ?>) item;
        if (!activation.get("ActivationId").equals(activationId)) {
          return String.valueOf(activation.get("ActivationId"));
        }
      }
      throw new AssertionError("no activation besides " + activationId + ": " + activations);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rows")
  void request_breakingOneRule_answersCodeStatusMessageAndRecommend(Row row) {
    Reply reply = row.request().apply(server);

    assertThat(reply.status()).as(reply.body()).isEqualTo(row.status());
    assertThat(reply.field("Code")).isEqualTo(row.code());
    assertThat(reply.field("Message")).contains(row.messageParts());
    assertThat(reply.field("Recommend")).isNotBlank();
    assertThat(reply.field("RequestId")).matches("[0-9A-F]{8}(-[0-9A-F]{4}){3}-[0-9A-F]{12}");
    assertThat(reply.field("HostId")).isEqualTo("127.0.0.1:" + server.port());
  }

  @Test
  void rows_everyCodeOfTheTables_coveredHereOrInItsOwnTest() {
    Set<String> covered = new TreeSet<>();
    rows()
        .forEach(
            row ->
                covered.add(row.code().replaceFirst("^InvalidParameter\\..*", "InvalidParameter")));
    covered.add(ApiError.THROTTLING.code()); // ThrottlingTest
    covered.add(ApiError.INTERNAL_ERROR.code()); // InternalErrorTest
    covered.add(ApiError.SERVICE_UNAVAILABLE.code()); // request_serverShuttingDown_... below

    Set<String> untested = new TreeSet<>();
    for (ApiError error : ApiError.values()) {
      untested.add(error.code());
    }
    untested.removeAll(covered);

    assertThat(untested).isEmpty();
  }

  /** ServiceUnavailable needs a server of its own, because it answers nothing else once closing. */
  @Test
  void request_serverShuttingDown_answersServiceUnavailable() throws Exception {
    try (LiveServer closing = LiveServer.start(dir.resolve("closing"))) {
      ServerHooks.startClosing(closing.server());

      Reply json = get("DescribeInvocations", params()).apply(closing);
      Reply xml = get("RunCommand", params("Format", "XML")).apply(closing);

      assertThat(json.status()).as(json.body()).isEqualTo(503);
      assertThat(json.field("Code")).isEqualTo("ServiceUnavailable");
      assertThat(json.field("Message")).contains("shutting down", "retry");
      assertThat(json.field("Recommend")).isNotBlank();
      assertThat(json.field("RequestId")).matches("[0-9A-F]{8}(-[0-9A-F]{4}){3}-[0-9A-F]{12}");
      assertThat(json.field("HostId")).isEqualTo("127.0.0.1:" + closing.port());
      assertThat(xml.status()).isEqualTo(503);
      assertThat(xml.contentType()).contains("xml");
      assertThat(xml.body()).contains("<Code>ServiceUnavailable</Code>");
    }
  }

  @Test
  void get_unknownParameter_ignored() {
    Reply reply =
        get("DescribeInvocations", params("NoSuchParameter", "x", "Foo.1", "y")).apply(server);

    assertThat(reply.status()).as(reply.body()).isEqualTo(200);
    assertThat(reply.json().get("Invocations").isArray()).isTrue();
  }

  @Test
  void get_parameterTwiceWithSameValue_accepted() {
    Map<String, String> signed =
        server
            .raw()
            .sign(
                "GET",
                with(
                    server.raw().parameters("DescribeInvocations", Instant.now()),
                    "MaxResults",
                    "5"));

    Reply reply = server.raw().get(RawClient.encode(signed) + "&MaxResults=5");

    assertThat(reply.status()).as(reply.body()).isEqualTo(200);
  }
}
