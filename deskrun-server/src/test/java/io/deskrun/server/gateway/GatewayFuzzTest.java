package io.deskrun.server.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.aliyun.ecd20200930.models.DescribeInvocationsRequest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.w3c.dom.Document;

/**
 * Sends generated requests, most of them validly signed so that they reach the actions, to the real
 * server over loopback, and checks that each answer is a well-formed envelope and never a server
 * error, and that the server still serves the SDK afterwards.
 */
class GatewayFuzzTest {
  static final int TRIES = 10_000;
  private static final int SOCKET_TIMEOUT_MILLIS = 15_000;
  private static final ObjectMapper JSON = new ObjectMapper();

  private static Path dir;

  /** Ids of objects that exist, so that generated requests also reach the paths that find them. */
  private static List<String> knownIds;

  private static LiveServer server;
  private static final AtomicInteger sent = new AtomicInteger();
  private static final Map<String, Integer> outcomes =
      new java.util.concurrent.ConcurrentHashMap<>();

  @BeforeContainer
  static void start() throws Exception {
    dir = Files.createTempDirectory("deskrun-fuzz");
    server = LiveServer.start(dir, config -> config.withApiRateLimit(0));
    String desktopId = server.enrollWithoutAgent();
    String activationId =
        String.valueOf(server.callAction("CreateActivation", Map.of()).get("ActivationId"));
    String invokeId =
        String.valueOf(
            server
                .callAction(
                    "RunCommand",
                    Map.of(
                        "DesktopId.1",
                        desktopId,
                        "Type",
                        "RunShellScript",
                        "CommandContent",
                        "echo fuzz"))
                .get("InvokeId"));
    knownIds = List.of(desktopId, activationId, invokeId);
  }

  @AfterContainer
  static void stop() throws IOException {
    if (server != null) {
      server.close();
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    }
  }

  /** How a generated request is signed. */
  enum Signing {
    V1,
    V1_GO_STYLE,
    V3,
    NONE
  }

  /** Where a parameter travels. */
  enum Place {
    QUERY,
    BODY
  }

  record Field(String name, String value, Place place) {}

  /** A generated request before signing; signing happens when it is sent, with a fresh nonce. */
  record Plan(
      String method,
      String action,
      List<Field> fields,
      Signing signing,
      String contentType,
      String rawQuerySuffix,
      Map<String, String> extraHeaders) {}

  @Property(tries = TRIES, shrinking = ShrinkingMode.OFF)
  void anyRequest_answersEnvelopeWithoutServerError(@ForAll("plans") Plan plan) throws Exception {
    byte[] request = build(plan);

    Response response = send(request);
    sent.incrementAndGet();

    assertThat(response.status())
        .as("status for %s%n%s", plan, response.body())
        .isBetween(200, 499);
    assertEnvelope(plan, response);
    outcomes.merge(outcome(response), 1, Integer::sum);
  }

  /** Returns "200" or the status and error code, for the tally printed after the run. */
  private static String outcome(Response response) throws IOException {
    if (response.status() == 200) {
      return "200";
    }
    if (response.contentType().startsWith("application/json")) {
      return response.status() + " " + JSON.readTree(response.body()).path("Code").asText();
    }
    return response.status() + " (XML)";
  }

  @AfterProperty
  void serverStillServesSdk() throws Exception {
    var body =
        server
            .client()
            .describeInvocations(new DescribeInvocationsRequest().setRegionId(LiveServer.REGION))
            .getBody();
    assertThat(body.getRequestId()).isNotBlank();
    System.out.println("GatewayFuzzTest sent " + sent.get() + " generated requests: " + outcomes);

    // Most generated requests are signed, so a fair share must get past the gateway's checks;
    // otherwise the run tested little more than the signature check.
    int served = outcomes.getOrDefault("200", 0);
    int actionErrors =
        outcomes.entrySet().stream()
            .filter(entry -> entry.getKey().contains("InvalidParameter."))
            .mapToInt(Map.Entry::getValue)
            .sum();
    assertThat(served).as("requests answered 200").isGreaterThan(sent.get() / 20);
    assertThat(actionErrors)
        .as("requests refused by an action's rules")
        .isGreaterThan(sent.get() / 20);
  }

  private static void assertEnvelope(Plan plan, Response response) throws Exception {
    String body = response.body();
    if (response.contentType().startsWith("text/xml")) {
      Document document =
          DocumentBuilderFactory.newDefaultInstance()
              .newDocumentBuilder()
              .parse(new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8)));
      String root = document.getDocumentElement().getTagName();
      assertThat(root)
          .as(body)
          .isEqualTo(response.status() == 200 ? plan.action() + "Response" : "Error");
      assertThat(document.getElementsByTagName("RequestId").getLength()).isEqualTo(1);
      if (response.status() != 200) {
        assertThat(document.getElementsByTagName("Code").item(0).getTextContent()).isNotBlank();
        assertThat(document.getElementsByTagName("Recommend").getLength()).isEqualTo(1);
      }
      return;
    }
    assertThat(response.contentType()).as(body).startsWith("application/json");
    JsonNode json = JSON.readTree(body);
    assertThat(json.path("RequestId").asText()).as(body).isNotBlank();
    if (response.status() != 200) {
      assertThat(json.path("Code").asText()).as(body).isNotBlank();
      assertThat(json.path("Message").asText()).as(body).isNotBlank();
      assertThat(json.has("Recommend")).as(body).isTrue();
    }
  }

  // Generators.

  private static final List<String> ACTIONS =
      List.of(
          "RunCommand",
          "DescribeInvocations",
          "StopInvocation",
          "DescribeDesktops",
          "CreateActivation",
          "DescribeActivations",
          "DisableActivation",
          "DeleteActivation",
          "DeregisterDesktop");

  private static final List<String> NAMES =
      List.of(
          "Type",
          "CommandContent",
          "ContentEncoding",
          "DesktopId",
          "DesktopId.1",
          "DesktopId.2",
          "DesktopId.50",
          "DesktopId.51",
          "DesktopId.0",
          "DesktopId.99999999999999999999",
          "DesktopId.-1",
          "DesktopId.",
          "DesktopIds.1",
          "Timeout",
          "InvokeId",
          "InvokeStatus",
          "CommandType",
          "EndUserId",
          "IncludeOutput",
          "IncludeInvokeDesktops",
          "MaxResults",
          "NextToken",
          "InstanceName",
          "InstanceCount",
          "TimeToLiveInHours",
          "Description",
          "ActivationId",
          "DesktopName",
          "Format",
          "RegionId",
          "Version",
          "SecurityToken",
          "SignatureType");

  /** Signature parameters; a generated value replaces the real one before signing. */
  private static final List<String> SIGNATURE_NAMES =
      List.of(
          "SignatureNonce",
          "Timestamp",
          "AccessKeyId",
          "SignatureMethod",
          "SignatureVersion",
          "Signature");

  @Provide
  Arbitrary<Plan> plans() {
    Arbitrary<String> method =
        Arbitraries.frequencyOf(
            Tuple.of(20, Arbitraries.just("GET")),
            Tuple.of(20, Arbitraries.just("POST")),
            Tuple.of(1, Arbitraries.of("PUT", "DELETE", "PATCH", "OPTIONS")));
    Arbitrary<String> action =
        Arbitraries.frequencyOf(Tuple.of(12, Arbitraries.of(ACTIONS)), Tuple.of(1, values()));
    Arbitrary<List<Field>> fields = field().list().ofMaxSize(12);
    Arbitrary<Signing> signing =
        Arbitraries.frequencyOf(
            Tuple.of(6, Arbitraries.just(Signing.V1)),
            Tuple.of(1, Arbitraries.just(Signing.V1_GO_STYLE)),
            Tuple.of(2, Arbitraries.just(Signing.V3)),
            Tuple.of(1, Arbitraries.just(Signing.NONE)));
    Arbitrary<String> contentType =
        Arbitraries.frequencyOf(
            Tuple.of(
                20,
                Arbitraries.of(
                    "application/x-www-form-urlencoded",
                    "application/x-www-form-urlencoded; charset=UTF-8",
                    "")),
            Tuple.of(
                1,
                Arbitraries.of(
                    "application/json",
                    "text/plain",
                    "multipart/form-data; boundary=x",
                    "a/b;;;=",
                    "application/x-www-form-urlencoded; charset=ISO-8859-1")));
    Arbitrary<String> rawSuffix =
        Arbitraries.frequencyOf(
            Tuple.of(8, Arbitraries.just("")),
            Tuple.of(
                1,
                Arbitraries.of(
                    "&%",
                    "&%4",
                    "&%GG=1",
                    "&a=%C3%28",
                    "&%00=x",
                    "&x=%00",
                    "&=",
                    "&==",
                    "&&&",
                    "&Timeout=%FF%FE",
                    "&DesktopId.1=%E2%82",
                    "&a=%ED%A0%80",
                    "&Format=XML",
                    "&Format=xml&Format=json",
                    "&Action=RunCommand",
                    "&RegionId=",
                    "&MaxResults=5&MaxResults=6",
                    "&a[]=1",
                    "&;=;")));
    Arbitrary<Map<String, String>> headers =
        Arbitraries.frequencyOf(
            Tuple.of(8, Arbitraries.just(Map.<String, String>of())),
            Tuple.of(
                1,
                Arbitraries.of(
                    Map.of("Authorization", "ACS3-HMAC-SHA256"),
                    Map.of(
                        "Authorization", "ACS3-HMAC-SHA256 Credential=,SignedHeaders=,Signature="),
                    Map.of("Authorization", "Basic dXNlcjpwYXNz"),
                    Map.of("Authorization", "ACS3-HMAC-SHA256 Credential=x,,,SignedHeaders=;;;"),
                    Map.of("x-acs-action", "RunCommand"),
                    Map.of("x-acs-date", "not a date"),
                    Map.of("x-acs-security-token", "token"),
                    Map.of("Content-Length", "0"),
                    Map.of("Transfer-Encoding", "chunked"),
                    Map.of("Host", ""))));
    return Combinators.combine(method, action, fields, signing, contentType, rawSuffix, headers)
        .as(Plan::new);
  }

  private Arbitrary<Field> field() {
    Arbitrary<String> name =
        Arbitraries.frequencyOf(
            Tuple.of(40, Arbitraries.of(NAMES)),
            Tuple.of(1, Arbitraries.of(SIGNATURE_NAMES)),
            Tuple.of(1, values()));
    Arbitrary<Place> place = Arbitraries.of(Place.class);
    return Combinators.combine(name, values(), place).as(Field::new);
  }

  private static Arbitrary<String> values() {
    return Arbitraries.frequencyOf(
        Tuple.of(10, Arbitraries.of(FIXED_VALUES)),
        Tuple.of(4, Arbitraries.of(knownIds)),
        Tuple.of(6, Arbitraries.strings().ofMaxLength(40)),
        Tuple.of(3, Arbitraries.strings().all().ofMaxLength(300)),
        Tuple.of(
            2, Arbitraries.strings().withCharRange(' ', '~').ofMinLength(100).ofMaxLength(4_000)),
        Tuple.of(
            1,
            Arbitraries.strings().withCharRange('a', 'z').ofMinLength(12_000).ofMaxLength(20_000)));
  }

  /** Values at the edges of the parameters' rules, and some that mean harm elsewhere. */
  private static final List<String> FIXED_VALUES =
      List.of(
          "",
          " ",
          "0",
          "1",
          "-1",
          "50",
          "51",
          "86400",
          "86401",
          "9223372036854775807",
          "9223372036854775808",
          "-9223372036854775808",
          "18446744073709551616",
          "1e3",
          " 5",
          "0x10",
          "\u0663",
          "NaN",
          "true",
          "TRUE",
          "yes",
          "JSON",
          "xml",
          "XML",
          "Base64",
          "PlainText",
          "base64",
          "RunShellScript",
          "RunBatScript",
          "RunPowerShellScript",
          "Running",
          "Finished",
          "cn-hangzhou",
          "cn-shanghai",
          "2020-09-30",
          "ecd-00000000000000000000",
          "t-000000000000000000000000",
          "act-000000000000000000000000",
          "=",
          "&",
          "%",
          "+",
          "\u0000",
          "a\u0000b",
          "\r\n",
          "\uD83D\uDE00",
          "\u202E",
          "<script>",
          "]]></x>",
          "'; DROP TABLE invocations; --",
          "$(rm -rf /)",
          "ZWNobyBoaQ==",
          "ZWNobyBoaQ",
          "====",
          "@@@");

  // Request building.

  private static byte[] build(Plan plan) {
    Map<String, String> query = new LinkedHashMap<>();
    Map<String, String> body = new LinkedHashMap<>();
    if (plan.signing() != Signing.V3) {
      query.putAll(server.raw().parameters(plan.action(), Instant.now()));
    } else {
      query.put("RegionId", LiveServer.REGION);
    }
    for (Field field : plan.fields()) {
      (field.place() == Place.QUERY ? query : body).put(field.name(), field.value());
    }
    body.keySet().removeAll(query.keySet());

    Map<String, String> headers = new LinkedHashMap<>();
    String bodyText = RawClient.encode(body);
    byte[] bodyBytes = bodyText.getBytes(StandardCharsets.UTF_8);
    if (!plan.contentType().isEmpty() && bodyBytes.length > 0) {
      headers.put("Content-Type", plan.contentType());
    }
    sign(plan, query, body, bodyBytes, headers);
    headers.putAll(plan.extraHeaders());
    headers.putIfAbsent("Content-Length", String.valueOf(bodyBytes.length));
    if (headers.containsKey("Transfer-Encoding")) {
      headers.remove("Content-Length");
      bodyBytes = chunked(bodyBytes);
    }

    StringBuilder head = new StringBuilder();
    head.append(plan.method())
        .append(" /?")
        .append(RawClient.encode(query))
        .append(plan.rawQuerySuffix())
        .append(" HTTP/1.1\r\n");
    headers.putIfAbsent("Host", "127.0.0.1:" + server.port());
    headers.put("Connection", "close");
    headers.forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
    head.append("\r\n");

    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(head.toString().getBytes(StandardCharsets.UTF_8));
    out.writeBytes(bodyBytes);
    return out.toByteArray();
  }

  private static void sign(
      Plan plan,
      Map<String, String> query,
      Map<String, String> body,
      byte[] bodyBytes,
      Map<String, String> headers) {
    Map<String, String> all = new LinkedHashMap<>(body);
    all.putAll(query);
    all.remove("Signature");
    switch (plan.signing()) {
      case V1 -> query.put("Signature", Signatures.v1(plan.method(), all, server.secret(), false));
      case V1_GO_STYLE -> {
        query.putIfAbsent("SignatureType", "");
        all.putIfAbsent("SignatureType", "");
        query.put("Signature", Signatures.v1(plan.method(), all, server.secret(), true));
      }
      case V3 -> signV3(plan, query, bodyBytes, headers);
      case NONE -> {}
    }
  }

  private static void signV3(
      Plan plan, Map<String, String> query, byte[] bodyBytes, Map<String, String> headers) {
    Map<String, String> signed = new LinkedHashMap<>();
    signed.put("host", "127.0.0.1:" + server.port());
    signed.put("x-acs-action", plan.action());
    signed.put("x-acs-content-sha256", Signatures.sha256Hex(bodyBytes));
    signed.put("x-acs-date", RawClient.timestamp(Instant.now()));
    signed.put("x-acs-signature-nonce", UUID.randomUUID().toString());
    signed.put("x-acs-version", Gateway.API_VERSION);
    String signature =
        Signatures.v3(
            plan.method(), query, signed, signed.get("x-acs-content-sha256"), server.secret());
    signed.forEach(
        (name, value) -> {
          if (!name.equals("host")) {
            headers.put(name, value);
          }
        });
    headers.put(
        "Authorization",
        Signatures.v3Authorization(server.keyId(), new ArrayList<>(signed.keySet()), signature));
  }

  private static byte[] chunked(byte[] body) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    if (body.length > 0) {
      out.writeBytes(
          (Integer.toHexString(body.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
      out.writeBytes(body);
      out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
    }
    out.writeBytes("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    return out.toByteArray();
  }

  // Sending.

  record Response(int status, String contentType, String body) {}

  /** Sends the bytes on a new connection and reads the whole response until the server closes. */
  private static Response send(byte[] request) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", server.port())) {
      socket.setSoTimeout(SOCKET_TIMEOUT_MILLIS);
      socket.getOutputStream().write(request);
      socket.getOutputStream().flush();
      return parse(readAll(socket.getInputStream()));
    }
  }

  private static byte[] readAll(InputStream in) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buffer = new byte[8192];
    int read;
    while ((read = in.read(buffer)) >= 0) {
      out.write(buffer, 0, read);
      if (complete(out.toByteArray())) {
        break;
      }
    }
    return out.toByteArray();
  }

  /** Returns true once the head and a body of the announced Content-Length have arrived. */
  private static boolean complete(byte[] bytes) {
    String text = new String(bytes, StandardCharsets.ISO_8859_1);
    int end = text.indexOf("\r\n\r\n");
    if (end < 0) {
      return false;
    }
    Integer length = contentLength(text.substring(0, end));
    return length != null && bytes.length >= end + 4 + length;
  }

  private static Integer contentLength(String head) {
    for (String line : head.split("\r\n")) {
      if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
        return Integer.parseInt(line.substring("content-length:".length()).strip());
      }
    }
    return null;
  }

  private static Response parse(byte[] bytes) {
    String text = new String(bytes, StandardCharsets.ISO_8859_1);
    int end = text.indexOf("\r\n\r\n");
    assertThat(end).as("a complete response head, got: %s", text).isPositive();
    String head = text.substring(0, end);
    int status = Integer.parseInt(head.substring(9, 12));
    String contentType = "";
    for (String line : head.split("\r\n")) {
      if (line.toLowerCase(Locale.ROOT).startsWith("content-type:")) {
        contentType = line.substring("content-type:".length()).strip();
      }
    }
    String body = new String(bytes, end + 4, bytes.length - end - 4, StandardCharsets.UTF_8);
    return new Response(status, contentType, body);
  }
}
