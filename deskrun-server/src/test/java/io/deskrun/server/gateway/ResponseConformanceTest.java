package io.deskrun.server.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.aliyun.ecd20200930.models.DescribeInvocationsResponseBody;
import com.aliyun.ecd20200930.models.DescribeInvocationsResponseBody.DescribeInvocationsResponseBodyInvocations;
import com.aliyun.ecd20200930.models.DescribeInvocationsResponseBody.DescribeInvocationsResponseBodyInvocationsInvokeDesktops;
import com.aliyun.ecd20200930.models.RunCommandResponseBody;
import com.aliyun.ecd20200930.models.StopInvocationResponseBody;
import com.aliyun.tea.NameInMap;
import com.fasterxml.jackson.databind.JsonNode;
import io.deskrun.server.gateway.RawClient.Reply;
import java.io.ByteArrayInputStream;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/**
 * Response bodies of every action against the real server: in XML, success and error, read back
 * with the JDK's XML parser; in JSON, each field name and type checked against the models of the
 * official ECD SDK, which map fields by exact name and drop what does not fit.
 */
class ResponseConformanceTest {
  @TempDir static Path dir;

  private static LiveServer server;
  private static String desktopId;
  private static String invokeId;

  @BeforeAll
  static void start() throws Exception {
    server = LiveServer.start(dir.resolve("server"));
    desktopId = server.enrollAgent(dir.resolve("agent"));
    invokeId = server.runToEnd(desktopId, "echo xml '<&>'; exit 3");
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  private static Reply call(String action, Map<String, String> parameters) {
    Map<String, String> all = server.raw().parameters(action, Instant.now());
    all.putAll(parameters);
    return server.raw().get(RawClient.encode(server.raw().sign("GET", all)));
  }

  private static Map<String, String> params(String... namesAndValues) {
    Map<String, String> map = new LinkedHashMap<>();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      map.put(namesAndValues[i], namesAndValues[i + 1]);
    }
    map.put("Format", "XML");
    return map;
  }

  private static Document parse(Reply reply) throws Exception {
    assertThat(reply.contentType()).isEqualTo("text/xml;charset=utf-8");
    assertThat(reply.body()).startsWith("<?xml version=\"1.0\" encoding=\"UTF-8\"?>");
    return DocumentBuilderFactory.newDefaultInstance()
        .newDocumentBuilder()
        .parse(new ByteArrayInputStream(reply.body().getBytes(StandardCharsets.UTF_8)));
  }

  private static String text(Element parent, String name) {
    return parent.getElementsByTagName(name).item(0).getTextContent();
  }

  /** Each action with parameters that succeed, the XML elements expected, and a failing call. */
  static Stream<Arguments> actions() {
    return Stream.of(
        Arguments.of(
            "RunCommand",
            (Supplier<Map<String, String>>)
                () ->
                    params(
                        "DesktopId.1",
                        desktopId,
                        "Type",
                        "RunShellScript",
                        "CommandContent",
                        "echo again"),
            List.of("InvokeId"),
            params("Type", "RunShellScript", "CommandContent", "x", "DesktopId.1", "ecd-none"),
            "InvalidDesktopId.NotFound"),
        Arguments.of(
            "DescribeInvocations",
            (Supplier<Map<String, String>>)
                () -> params("InvokeId", invokeId, "IncludeOutput", "true"),
            List.of("NextToken", "Invocations", "InvokeDesktops", "ExitCode", "Output"),
            params("MaxResults", "0"),
            "InvalidParameter.MaxResults"),
        Arguments.of(
            "StopInvocation",
            (Supplier<Map<String, String>>) () -> params("InvokeId", invokeId),
            List.of(),
            params("InvokeId", "t-unknown"),
            "InvalidInvokeId.NotFound"),
        Arguments.of(
            "DescribeDesktops",
            (Supplier<Map<String, String>>) () -> params("DesktopId.1", desktopId),
            List.of("Desktops", "DesktopId", "OsType", "AgentStatus", "TotalCount"),
            params("MaxResults", "101"),
            "InvalidParameter.MaxResults"),
        Arguments.of(
            "CreateActivation",
            (Supplier<Map<String, String>>) () -> params("InstanceCount", "2"),
            List.of("ActivationId", "ActivationCode"),
            params("InstanceCount", "0"),
            "InvalidParameter.InstanceCount"),
        Arguments.of(
            "DescribeActivations",
            (Supplier<Map<String, String>>) () -> params(),
            List.of("Activations", "ActivationId", "InstanceCount", "RegisteredCount"),
            params("MaxResults", "x"),
            "InvalidParameter.MaxResults"),
        Arguments.of(
            "DisableActivation",
            (Supplier<Map<String, String>>) () -> params("ActivationId", newActivation()),
            List.of(),
            params("ActivationId", "act-unknown"),
            "InvalidActivationId.NotFound"),
        Arguments.of(
            "DeleteActivation",
            (Supplier<Map<String, String>>) () -> params("ActivationId", newActivation()),
            List.of(),
            params("ActivationId", "act-unknown"),
            "InvalidActivationId.NotFound"),
        Arguments.of(
            "DeregisterDesktop",
            (Supplier<Map<String, String>>) () -> params("DesktopId", quietDesktop()),
            List.of(),
            params("DesktopId", "ecd-unknown"),
            "InvalidDesktopId.NotFound"));
  }

  private static String newActivation() {
    try {
      return String.valueOf(server.callAction("CreateActivation", Map.of()).get("ActivationId"));
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static String quietDesktop() {
    try {
      return server.enrollWithoutAgent();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("actions")
  void action_formatXml_successParsesWithFields(
      String action,
      Supplier<Map<String, String>> success,
      List<String> elements,
      Map<String, String> failure,
      String code)
      throws Exception {
    Reply reply = call(action, success.get());

    assertThat(reply.status()).as(reply.body()).isEqualTo(200);
    Element root = parse(reply).getDocumentElement();
    assertThat(root.getTagName()).isEqualTo(action + "Response");
    assertThat(text(root, "RequestId")).matches("[0-9A-F-]{36}");
    for (String element : elements) {
      assertThat(root.getElementsByTagName(element).getLength()).as(element).isPositive();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("actions")
  void action_formatXmlWithBadParameter_errorElementParses(
      String action,
      Supplier<Map<String, String>> success,
      List<String> elements,
      Map<String, String> failure,
      String code)
      throws Exception {
    Reply reply = call(action, failure);

    assertThat(reply.status()).isBetween(400, 404);
    Element root = parse(reply).getDocumentElement();
    assertThat(root.getTagName()).isEqualTo("Error");
    assertThat(text(root, "Code")).isEqualTo(code);
    assertThat(text(root, "Message")).isNotBlank();
    assertThat(text(root, "Recommend")).isNotBlank();
    assertThat(text(root, "RequestId")).matches("[0-9A-F-]{36}");
    assertThat(text(root, "HostId")).isEqualTo("127.0.0.1:" + server.port());
  }

  @Test
  void describeInvocations_formatXml_listItemsRepeatAndTextIsEscaped() throws Exception {
    Reply reply =
        call(
            "DescribeInvocations",
            params("InvokeId", invokeId, "IncludeOutput", "true", "ContentEncoding", "PlainText"));

    Element root = parse(reply).getDocumentElement();
    Element invocation = (Element) root.getElementsByTagName("Invocations").item(0);
    assertThat(text(invocation, "InvokeId")).isEqualTo(invokeId);
    assertThat(text(invocation, "InvocationStatus")).isEqualTo("Failed");
    assertThat(text(invocation, "InvokeDesktopCount")).isEqualTo("1");
    Element target = (Element) invocation.getElementsByTagName("InvokeDesktops").item(0);
    assertThat(text(target, "Output")).isEqualTo("xml <&>\n");
    assertThat(text(target, "ExitCode")).isEqualTo("3");
    assertThat(text(target, "ErrorCode")).isEqualTo("ExitCodeNonzero");
  }

  @Test
  void describeInvocations_formatXml_carriageReturnsSurviveParsing() throws Exception {
    String script = "printf 'one\\r\\ntwo\\r'\r\n";
    String carriageReturnInvokeId = server.runToEnd(desktopId, script);

    Reply reply =
        call(
            "DescribeInvocations",
            params(
                "InvokeId",
                carriageReturnInvokeId,
                "IncludeOutput",
                "true",
                "ContentEncoding",
                "PlainText"));

    Element invocation = (Element) parse(reply).getElementsByTagName("Invocations").item(0);
    assertThat(text(invocation, "CommandContent")).isEqualTo(script);
    Element target = (Element) invocation.getElementsByTagName("InvokeDesktops").item(0);
    assertThat(text(target, "Output")).isEqualTo("one\r\ntwo\r");
  }

  @Test
  void describeInvocations_json_everyFieldNamedAndTypedAsSdkModel() {
    Reply reply =
        call(
            "DescribeInvocations",
            Map.of("InvokeId", invokeId, "IncludeOutput", "true", "Format", "JSON"));

    JsonNode body = reply.json();
    assertMatchesModel(body, DescribeInvocationsResponseBody.class, "body");
    JsonNode invocation = body.get("Invocations").get(0);
    assertMatchesModel(invocation, DescribeInvocationsResponseBodyInvocations.class, "Invocations");
    assertMatchesModel(
        invocation.get("InvokeDesktops").get(0),
        DescribeInvocationsResponseBodyInvocationsInvokeDesktops.class,
        "InvokeDesktops");
  }

  @Test
  void runAndStop_json_everyFieldNamedAndTypedAsSdkModel() {
    Reply run =
        call(
            "RunCommand",
            Map.of(
                "DesktopId.1", desktopId,
                "Type", "RunShellScript",
                "CommandContent", "echo json",
                "Format", "JSON"));
    assertMatchesModel(run.json(), RunCommandResponseBody.class, "RunCommand");

    Reply stop =
        call("StopInvocation", Map.of("InvokeId", run.field("InvokeId"), "Format", "JSON"));
    assertMatchesModel(stop.json(), StopInvocationResponseBody.class, "StopInvocation");
  }

  @Test
  void describeInvocations_sdkModel_everyFieldMappedWithItsType() throws Exception {
    DescribeInvocationsResponseBodyInvocations invocation = server.describe(invokeId);

    assertThat(invocation.getInvokeId()).isEqualTo(invokeId);
    assertThat(invocation.getCommandType()).isEqualTo("RunShellScript");
    assertThat(invocation.getCommandContent()).isEqualTo("echo xml '<&>'; exit 3");
    assertThat(invocation.getCreationTime()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ");
    assertThat(invocation.getInvokeDesktopCount()).isEqualTo(1);
    assertThat(invocation.getInvokeDesktopSucceedCount()).isZero();
    DescribeInvocationsResponseBodyInvocationsInvokeDesktops target =
        invocation.getInvokeDesktops().getFirst();
    assertThat(target.getExitCode()).isEqualTo(3L);
    assertThat(target.getDropped()).isZero();
    assertThat(target.getRepeats()).isEqualTo(1);
    assertThat(target.getOutput()).isEqualTo("xml <&>\n");
    assertThat(target.getErrorCode()).isEqualTo("ExitCodeNonzero");
    assertThat(target.getErrorInfo()).isNotBlank();
    assertThat(target.getStartTime()).isNotNull();
    assertThat(target.getFinishTime()).isNotNull();
    assertThat(target.getUpdateTime()).isNotNull();
  }

  /**
   * Checks that every field of the JSON object is a field of the SDK model, by its exact name, with
   * a JSON type that the model's Java type accepts.
   */
  private static void assertMatchesModel(JsonNode object, Class<?> model, String where) {
    Map<String, Class<?>> fields = new HashMap<>();
    for (Field field : model.getDeclaredFields()) {
      NameInMap name = field.getAnnotation(NameInMap.class);
      if (name != null) {
        fields.put(name.value(), field.getType());
      }
    }
    for (Iterator<String> names = object.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      assertThat(fields).as("%s has no field %s", where, name).containsKey(name);
      Class<?> type = fields.get(name);
      JsonNode value = object.get(name);
      if (type == String.class) {
        assertThat(value.isTextual()).as("%s.%s is a string", where, name).isTrue();
      } else if (type == Integer.class || type == Long.class) {
        assertThat(value.isIntegralNumber()).as("%s.%s is an integer", where, name).isTrue();
      } else if (type == Boolean.class) {
        assertThat(value.isBoolean()).as("%s.%s is a boolean", where, name).isTrue();
      } else if (List.class.isAssignableFrom(type)) {
        assertThat(value.isArray()).as("%s.%s is an array", where, name).isTrue();
      }
    }
  }
}
