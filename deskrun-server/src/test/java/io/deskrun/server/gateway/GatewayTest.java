package io.deskrun.server.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.deskrun.server.gateway.RawClient.Reply;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/** Sends raw HTTP requests to a gateway on a real Helidon server with a fixed clock. */
class GatewayTest {
  private static final Instant NOW = Instant.parse("2026-12-04T19:19:36Z");
  private static final String UUID_UPPER =
      "[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}";

  private static final AtomicReference<ApiRequest> lastRequest = new AtomicReference<>();
  private static TestGateway server;
  private static RawClient client;

  @BeforeAll
  static void start() {
    Map<String, ActionHandler> actions =
        Map.of(
            "RunCommand",
            GatewayTest::runCommand,
            "DescribeInvocations",
            GatewayTest::describeInvocations,
            "StopInvocation",
            request -> {
              throw new ApiException(
                  ApiError.INVOKE_NOT_FOUND, "The InvokeId t-404 does not exist.");
            },
            "LogContext",
            request -> Map.of("LoggedRequestId", String.valueOf(MDC.get("requestId"))),
            "CrashAction",
            request -> {
              throw new IllegalStateException("storage failed at jdbc:h2:/secret/path");
            });
    server = new TestGateway(actions, InstantSource.fixed(NOW));
    client = new RawClient(server.port());
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static Map<String, Object> runCommand(ApiRequest request) {
    lastRequest.set(request);
    Map<String, Object> fields = new HashMap<>();
    fields.put("InvokeId", "t-1");
    fields.put("Left", null);
    return fields;
  }

  private static Map<String, Object> describeInvocations(ApiRequest request) {
    lastRequest.set(request);
    Map<String, Object> first = new LinkedHashMap<>();
    first.put("InvokeId", "t-1");
    first.put("InvocationStatus", "Finished");
    first.put("Output", null);
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("TotalCount", 2);
    fields.put("Note", "a<b & \"c\"");
    fields.put("Lines", "one\r\ntwo\rthree\n");
    fields.put("Invocations", List.of(first, Map.of("InvokeId", "t-2", "Dropped", 0)));
    return fields;
  }

  private static Map<String, String> parameters(String action) {
    Map<String, String> parameters = RawClient.v1Parameters(action, NOW);
    parameters.put("CommandContent", "Get-Date + 1 * 2");
    return parameters;
  }

  private static Reply getSigned(Map<String, String> parameters) {
    return client.get(RawClient.encode(RawClient.signV1("GET", parameters, TestGateway.SECRET)));
  }

  private static void assertError(Reply reply, int status, String code, String messagePart) {
    assertThat(reply.status()).as(reply.body()).isEqualTo(status);
    assertThat(reply.contentType()).isEqualTo("application/json;charset=utf-8");
    assertThat(reply.field("Code")).isEqualTo(code);
    assertThat(reply.field("Message")).contains(messagePart);
    assertThat(reply.field("RequestId")).matches(UUID_UPPER);
    assertThat(reply.field("HostId")).isEqualTo("127.0.0.1:" + server.port());
    assertThat(reply.field("Recommend")).isNotBlank();
  }

  @Test
  void get_signedV1_returnsJsonEnvelope() {
    Reply reply = getSigned(parameters("RunCommand"));

    assertThat(reply.status()).as(reply.body()).isEqualTo(200);
    assertThat(reply.contentType()).isEqualTo("application/json;charset=utf-8");
    assertThat(reply.field("InvokeId")).isEqualTo("t-1");
    assertThat(reply.field("RequestId")).matches(UUID_UPPER);
    assertThat(reply.json().has("Left")).isFalse();
  }

  @Test
  void get_signedV1_handlerSeesAccountRegionAndParameters() {
    Map<String, String> parameters = parameters("RunCommand");

    Reply reply = getSigned(parameters);

    ApiRequest request = lastRequest.get();
    assertThat(request.requestId()).isEqualTo(reply.field("RequestId"));
    assertThat(request.action()).isEqualTo("RunCommand");
    assertThat(request.accountId()).isEqualTo(TestGateway.ACCOUNT_ID);
    assertThat(request.regionId()).isEqualTo(TestGateway.REGION);
    assertThat(request.parameters().required("CommandContent")).isEqualTo("Get-Date + 1 * 2");
    assertThat(request.parameters().required("SignatureNonce"))
        .isEqualTo(parameters.get("SignatureNonce"));
  }

  @Test
  void get_whileHandling_requestIdInLogContext() {
    Reply reply = getSigned(parameters("LogContext"));

    assertThat(reply.field("LoggedRequestId")).isEqualTo(reply.field("RequestId"));
  }

  @Test
  void post_formBody_servesAction() {
    Map<String, String> signed =
        RawClient.signV1("POST", parameters("RunCommand"), TestGateway.SECRET);

    Reply reply = client.post("", RawClient.encode(signed), "application/x-www-form-urlencoded");

    assertThat(reply.status()).as(reply.body()).isEqualTo(200);
    assertThat(lastRequest.get().parameters().required("CommandContent"))
        .isEqualTo("Get-Date + 1 * 2");
  }

  @Test
  void post_formBodyWithPlusForSpace_decodedAsSpace() {
    Map<String, String> parameters = parameters("RunCommand");
    parameters.put("CommandContent", "echo a b");
    Map<String, String> signed = RawClient.signV1("POST", parameters, TestGateway.SECRET);

    String body = RawClient.encode(signed).replace("echo%20a%20b", "echo+a+b");
    Reply reply = client.post("", body, "application/x-www-form-urlencoded; charset=UTF-8");

    assertThat(reply.status()).as(reply.body()).isEqualTo(200);
    assertThat(lastRequest.get().parameters().required("CommandContent")).isEqualTo("echo a b");
  }

  @Test
  void post_queryAndBody_merged() {
    Map<String, String> signed =
        RawClient.signV1("POST", parameters("RunCommand"), TestGateway.SECRET);
    Map<String, String> inQuery = new LinkedHashMap<>(signed);
    Map<String, String> inBody = new LinkedHashMap<>();
    inBody.put("CommandContent", inQuery.remove("CommandContent"));
    inBody.put("Signature", inQuery.remove("Signature"));

    Reply reply =
        client.post(
            RawClient.encode(inQuery),
            RawClient.encode(inBody),
            "application/x-www-form-urlencoded");

    assertThat(reply.status()).as(reply.body()).isEqualTo(200);
    assertThat(lastRequest.get().parameters().required("CommandContent"))
        .isEqualTo("Get-Date + 1 * 2");
  }

  @Test
  void post_legacySdkShape_formContentTypeWithoutBody() {
    Map<String, String> signed =
        RawClient.signV1("POST", parameters("RunCommand"), TestGateway.SECRET);

    Reply reply = client.post(RawClient.encode(signed), "", "application/x-www-form-urlencoded");

    assertThat(reply.status()).as(reply.body()).isEqualTo(200);
    assertThat(reply.field("InvokeId")).isEqualTo("t-1");
  }

  @Test
  void post_teaSdkShape_emptyChunkedBody() {
    Map<String, String> signed =
        RawClient.signV1("POST", parameters("RunCommand"), TestGateway.SECRET);

    Reply reply = client.postEmptyChunked(RawClient.encode(signed), Map.of());

    assertThat(reply.status()).as(reply.body()).isEqualTo(200);
  }

  @Test
  void get_emptyValueSignedEitherWay_accepted() {
    Map<String, String> parameters = parameters("RunCommand");
    parameters.put("EndUserId", "");
    Map<String, String> javaStyle = RawClient.signV1("GET", parameters, TestGateway.SECRET);
    Map<String, String> goStyle = new LinkedHashMap<>(parameters);
    goStyle.put("SignatureNonce", "go-style-nonce");
    goStyle.put("Signature", Signatures.v1("GET", goStyle, TestGateway.SECRET, true));

    Reply javaReply = client.get(RawClient.encode(javaStyle));
    Reply goReply = client.get(RawClient.encode(goStyle));

    assertThat(javaReply.status()).as(javaReply.body()).isEqualTo(200);
    assertThat(goReply.status()).as(goReply.body()).isEqualTo(200);
  }

  @Test
  void get_formatXml_returnsXmlWithRepeatedListElements() throws Exception {
    Map<String, String> parameters = parameters("DescribeInvocations");
    parameters.put("Format", "xml");

    Reply reply = getSigned(parameters);

    assertThat(reply.status()).as(reply.body()).isEqualTo(200);
    assertThat(reply.contentType()).isEqualTo("text/xml;charset=utf-8");
    assertThat(reply.body()).startsWith("<?xml version=\"1.0\" encoding=\"UTF-8\"?>");
    Element root = parseXml(reply.body()).getDocumentElement();
    assertThat(root.getTagName()).isEqualTo("DescribeInvocationsResponse");
    assertThat(text(root, "RequestId")).matches(UUID_UPPER);
    assertThat(text(root, "TotalCount")).isEqualTo("2");
    assertThat(text(root, "Note")).isEqualTo("a<b & \"c\"");
    NodeList invocations = root.getElementsByTagName("Invocations");
    assertThat(invocations.getLength()).isEqualTo(2);
    assertThat(text((Element) invocations.item(0), "InvokeId")).isEqualTo("t-1");
    assertThat(text((Element) invocations.item(1), "InvokeId")).isEqualTo("t-2");
    assertThat(((Element) invocations.item(0)).getElementsByTagName("Output").getLength()).isZero();
  }

  @Test
  void get_formatXmlWithError_returnsXmlErrorEnvelope() throws Exception {
    Map<String, String> parameters = parameters("RunCommand");
    parameters.put("Format", "XML");
    parameters.put("RegionId", "mars-1");

    Reply reply = getSigned(parameters);

    assertThat(reply.status()).isEqualTo(404);
    assertThat(reply.contentType()).isEqualTo("text/xml;charset=utf-8");
    Element root = parseXml(reply.body()).getDocumentElement();
    assertThat(root.getTagName()).isEqualTo("Error");
    assertThat(text(root, "Code")).isEqualTo("InvalidRegionId.NotFound");
    assertThat(text(root, "Message")).contains("mars-1");
    assertThat(text(root, "RequestId")).matches(UUID_UPPER);
    assertThat(text(root, "HostId")).isEqualTo("127.0.0.1:" + server.port());
    assertThat(text(root, "Recommend")).isNotBlank();
  }

  @Test
  void formatXml_controlCharacterInValue_isReplaced() throws Exception {
    Map<String, String> parameters = parameters("RunCommand");
    parameters.put("Format", "XML");
    parameters.put("RegionId", "mars\u0000\u001b-1");

    Reply reply = getSigned(parameters);

    assertThat(reply.status()).isEqualTo(404);
    Element root = parseXml(reply.body()).getDocumentElement();
    assertThat(text(root, "Code")).isEqualTo("InvalidRegionId.NotFound");
    assertThat(text(root, "Message")).contains("mars\ufffd\ufffd-1 ");
  }

  @Test
  void get_formatXml_carriageReturnSurvivesParsing() throws Exception {
    Map<String, String> parameters = parameters("DescribeInvocations");
    parameters.put("Format", "XML");

    Reply reply = getSigned(parameters);

    assertThat(reply.body()).contains("<Lines>one&#13;\ntwo&#13;three\n</Lines>");
    Element root = parseXml(reply.body()).getDocumentElement();
    assertThat(text(root, "Lines")).isEqualTo("one\r\ntwo\rthree\n");
  }

  @Test
  void xmlText_unpairedSurrogate_isReplaced() {
    assertThat(Envelopes.xmlText("a\ud800b")).isEqualTo("a\ufffdb");
    assertThat(Envelopes.xmlText("\ud83d\ude00 tab\tend\uffff"))
        .isEqualTo("\ud83d\ude00 tab\tend\ufffd");
  }

  @Test
  void get_formatAbsent_returnsJson() {
    Map<String, String> parameters = parameters("RunCommand");
    parameters.remove("Format");

    Reply reply = getSigned(parameters);

    assertThat(reply.status()).as(reply.body()).isEqualTo(200);
    assertThat(reply.contentType()).isEqualTo("application/json;charset=utf-8");
    assertThat(reply.field("InvokeId")).isEqualTo("t-1");
  }

  @Test
  void get_unknownFormat_invalidParameterFormat() {
    Map<String, String> parameters = parameters("RunCommand");
    parameters.put("Format", "yaml");

    assertError(getSigned(parameters), 400, "InvalidParameter.Format", "yaml");
  }

  @Test
  void get_regionIdMissing_missingParameter() {
    Map<String, String> parameters = parameters("RunCommand");
    parameters.remove("RegionId");

    assertError(getSigned(parameters), 400, "MissingParameter", "RegionId");
  }

  @Test
  void get_actionMissing_missingParameter() {
    Map<String, String> parameters = parameters("RunCommand");
    parameters.remove("Action");

    assertError(getSigned(parameters), 400, "MissingParameter", "Action");
  }

  @Test
  void get_unknownRegion_invalidRegionIdNotFound() {
    Map<String, String> parameters = parameters("RunCommand");
    parameters.put("RegionId", "eu-central-9");

    assertError(getSigned(parameters), 404, "InvalidRegionId.NotFound", "eu-central-9");
  }

  @Test
  void get_unknownAction_invalidActionNotFound() {
    assertError(
        getSigned(parameters("DeleteEverything")),
        404,
        "InvalidAction.NotFound",
        "DeleteEverything");
  }

  @Test
  void get_otherVersion_invalidVersion() {
    Map<String, String> parameters = parameters("RunCommand");
    parameters.put("Version", "2014-05-26");

    assertError(getSigned(parameters), 400, "InvalidVersion", "2014-05-26");
  }

  @Test
  void get_signatureMissing_incompleteSignature() {
    String query = RawClient.encode(parameters("RunCommand"));

    assertError(client.get(query), 400, "IncompleteSignature", "Signature");
  }

  @Test
  void get_nonceMissing_incompleteSignature() {
    Map<String, String> parameters = parameters("RunCommand");
    parameters.remove("SignatureNonce");

    assertError(getSigned(parameters), 400, "IncompleteSignature", "SignatureNonce");
  }

  @Test
  void get_sha256Method_invalidSignatureMethod() {
    Map<String, String> parameters = parameters("RunCommand");
    parameters.put("SignatureMethod", "HMAC-SHA256");

    assertError(getSigned(parameters), 400, "InvalidSignatureMethod", "HMAC-SHA256");
  }

  @Test
  void get_signatureVersion2_invalidSignatureMethod() {
    Map<String, String> parameters = parameters("RunCommand");
    parameters.put("SignatureVersion", "2.0");

    assertError(getSigned(parameters), 400, "InvalidSignatureMethod", "SignatureVersion 2.0");
  }

  @Test
  void get_unknownAccessKey_invalidAccessKeyIdNotFound() {
    Map<String, String> parameters = parameters("RunCommand");
    parameters.put("AccessKeyId", "nobody");

    assertError(getSigned(parameters), 404, "InvalidAccessKeyId.NotFound", "nobody");
  }

  @Test
  void get_disabledAccessKey_invalidAccessKeyIdInactive() {
    Map<String, String> parameters = parameters("RunCommand");
    parameters.put("AccessKeyId", TestGateway.DISABLED_KEY_ID);

    assertError(
        getSigned(parameters), 400, "InvalidAccessKeyId.Inactive", TestGateway.DISABLED_KEY_ID);
  }

  @Test
  void get_wrongSecret_signatureDoesNotMatchWithStringToSign() {
    Map<String, String> signed = RawClient.signV1("GET", parameters("RunCommand"), "wrongsecret");

    Reply reply = client.get(RawClient.encode(signed));

    assertError(reply, 400, "SignatureDoesNotMatch", "GET&%2F&AccessKeyId%3Dtestid");
    assertThat(reply.body()).doesNotContain(TestGateway.SECRET);
  }

  @Test
  void get_valueChangedAfterSigning_signatureDoesNotMatch() {
    Map<String, String> signed =
        RawClient.signV1("GET", parameters("RunCommand"), TestGateway.SECRET);
    signed.put("CommandContent", "Remove-Item C:\\");

    assertError(
        client.get(RawClient.encode(signed)), 400, "SignatureDoesNotMatch", "string to sign");
  }

  @Test
  void get_nonceReused_signatureNonceUsed() {
    Map<String, String> parameters = parameters("RunCommand");
    parameters.put("SignatureNonce", "nonce-used-twice");
    Reply first = getSigned(parameters);

    Reply second = getSigned(parameters);

    assertThat(first.status()).as(first.body()).isEqualTo(200);
    assertError(second, 400, "SignatureNonceUsed", "nonce-used-twice");
  }

  @Test
  void get_pastTimestamp_nonceKeptFifteenMinutesFromNow() {
    Map<String, String> parameters = parameters("RunCommand");
    parameters.put("Timestamp", RawClient.timestamp(NOW.minus(Duration.ofMinutes(5))));

    Reply reply = getSigned(parameters);

    assertThat(reply.status()).as(reply.body()).isEqualTo(200);
    assertThat(server.lastNonceExpiry()).isEqualTo(NOW.plus(Duration.ofMinutes(15)));
  }

  @Test
  void get_futureTimestamp_nonceKeptUntilTimestampExpires() {
    Map<String, String> parameters = parameters("RunCommand");
    parameters.put("Timestamp", RawClient.timestamp(NOW.plus(Duration.ofMinutes(10))));

    Reply reply = getSigned(parameters);

    assertThat(reply.status()).as(reply.body()).isEqualTo(200);
    assertThat(server.lastNonceExpiry()).isEqualTo(NOW.plus(Duration.ofMinutes(25)));
  }

  @Test
  void get_nonceOfBadSignature_notConsumed() {
    Map<String, String> parameters = parameters("RunCommand");
    parameters.put("SignatureNonce", "nonce-after-bad-signature");
    Reply bad = client.get(RawClient.encode(RawClient.signV1("GET", parameters, "wrongsecret")));

    Reply good = getSigned(parameters);

    assertThat(bad.field("Code")).isEqualTo("SignatureDoesNotMatch");
    assertThat(good.status()).as(good.body()).isEqualTo(200);
  }

  @Test
  void get_timestampSixteenMinutesOld_invalidTimeStampExpired() {
    Map<String, String> parameters = parameters("RunCommand");
    parameters.put("Timestamp", RawClient.timestamp(NOW.minus(Duration.ofMinutes(16))));

    assertError(getSigned(parameters), 400, "InvalidTimeStamp.Expired", "15 minutes");
  }

  @Test
  void get_timestampFourteenMinutesAhead_accepted() {
    Map<String, String> parameters = parameters("RunCommand");
    parameters.put("Timestamp", RawClient.timestamp(NOW.plus(Duration.ofMinutes(14))));

    assertThat(getSigned(parameters).status()).isEqualTo(200);
  }

  @Test
  void get_timestampWithoutZone_invalidTimeStampFormat() {
    Map<String, String> parameters = parameters("RunCommand");
    parameters.put("Timestamp", "2026-12-04 19:19:36");

    assertError(getSigned(parameters), 400, "InvalidTimeStamp.Format", "2026-12-04 19:19:36");
  }

  @Test
  void get_securityToken_invalidSecurityTokenNotSupported() {
    Map<String, String> parameters = parameters("RunCommand");
    parameters.put("SecurityToken", "sts-token");

    assertError(getSigned(parameters), 400, "InvalidSecurityToken.NotSupported", "SecurityToken");
  }

  @Test
  void get_handlerApiException_codeAndStatusKept() {
    assertError(getSigned(parameters("StopInvocation")), 404, "InvalidInvokeId.NotFound", "t-404");
  }

  @Test
  void get_handlerCrash_internalErrorWithoutDetails() {
    Reply reply = getSigned(parameters("CrashAction"));

    assertError(reply, 500, "InternalError", reply.field("RequestId"));
    assertThat(reply.body()).doesNotContain("jdbc").doesNotContain("IllegalStateException");
  }

  @Test
  void post_nameInQueryAndBody_invalidParameter() {
    Map<String, String> signed =
        RawClient.signV1("POST", parameters("RunCommand"), TestGateway.SECRET);

    Reply reply =
        client.post(
            RawClient.encode(signed), "RegionId=cn-shanghai", "application/x-www-form-urlencoded");

    assertError(reply, 400, "InvalidParameter", "RegionId");
  }

  @Test
  void get_nameRepeatedWithDifferentValues_invalidParameter() {
    String query =
        RawClient.encode(RawClient.signV1("GET", parameters("RunCommand"), TestGateway.SECRET));

    assertError(client.get(query + "&Timeout=5&Timeout=6"), 400, "InvalidParameter", "Timeout");
  }

  @Test
  void get_nameRepeatedWithSameValue_accepted() {
    Map<String, String> parameters = parameters("RunCommand");
    parameters.put("Timeout", "5");
    String query = RawClient.encode(RawClient.signV1("GET", parameters, TestGateway.SECRET));

    assertThat(client.get(query + "&Timeout=5").status()).isEqualTo(200);
  }

  @Test
  void get_malformedPercentEscape_invalidParameter() {
    for (String query : List.of("Action=Run%4", "Action=Run%zzCommand")) {
      Reply reply = client.getOverSocket(query);

      assertError(reply, 400, "InvalidParameter", "malformed percent-escape at byte 10");
    }
  }

  @Test
  void get_badEscapeFormatXml_xmlError() throws Exception {
    for (String query :
        List.of(
            "Format=XML&Action=Run%4", "Action=Run%zz&Format=xml", "Format=XML&Format=XML&%G")) {
      Reply reply = client.getOverSocket(query);

      assertThat(reply.status()).as(query).isEqualTo(400);
      assertThat(reply.contentType()).as(query).isEqualTo("text/xml;charset=utf-8");
      Element root = parseXml(reply.body()).getDocumentElement();
      assertThat(root.getTagName()).isEqualTo("Error");
      assertThat(text(root, "Code")).isEqualTo("InvalidParameter");
      assertThat(text(root, "Message")).contains("malformed percent-escape");
      assertThat(text(root, "RequestId")).matches(UUID_UPPER);
      assertThat(text(root, "HostId")).isEqualTo("127.0.0.1:" + server.port());
    }
  }

  @Test
  void get_badEscapeMixedFormats_jsonError() {
    Reply reply = client.getOverSocket("Format=XML&Format=JSON&Action=Run%4");

    assertError(reply, 400, "InvalidParameter", "percent-escape");
  }

  @Test
  void get_badEscapeUnknownFormat_jsonError() {
    Reply reply = client.getOverSocket("Format=yaml&Action=Run%4");

    assertError(reply, 400, "InvalidParameter", "percent-escape");
  }

  @Test
  void post_badEscapeXmlInBody_xmlError() throws Exception {
    Reply reply = client.post("", "Format=XML&Action=Run%G1", "application/x-www-form-urlencoded");

    assertThat(reply.status()).isEqualTo(400);
    assertThat(reply.contentType()).isEqualTo("text/xml;charset=utf-8");
    Element root = parseXml(reply.body()).getDocumentElement();
    assertThat(text(root, "Message")).contains("form body", "percent-escape");
  }

  @Test
  void put_withFormatXml_xmlError() throws Exception {
    Reply reply = client.sendOverSocket("PUT /?Format=XML HTTP/1.1", "Content-Length: 0\r\n", "");

    assertThat(reply.status()).isEqualTo(400);
    assertThat(reply.contentType()).isEqualTo("text/xml;charset=utf-8");
    assertThat(text(parseXml(reply.body()).getDocumentElement(), "Message")).contains("PUT");
  }

  @Test
  void put_withChunkedBody_answersOnce() throws Exception {
    String request =
        "PUT /?Format=XML HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
            + "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n";

    String received = receiveForTwoSeconds(request);

    assertThat(received).startsWith("HTTP/1.1 400 ");
    assertThat(received.split("HTTP/1\\.1 ", -1)).as(received).hasSize(2);
  }

  /** Sends the request and returns what arrives until the server closes or two seconds pass. */
  private static String receiveForTwoSeconds(String request) throws Exception {
    ByteArrayOutputStream received = new ByteArrayOutputStream();
    try (Socket socket = new Socket("127.0.0.1", server.port())) {
      socket.setSoTimeout(2_000);
      socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
      byte[] buffer = new byte[8192];
      for (int read; (read = socket.getInputStream().read(buffer)) >= 0; ) {
        received.write(buffer, 0, read);
      }
    } catch (SocketTimeoutException e) {
      // Two seconds without a byte: everything the server sends for this request has arrived.
    }
    return received.toString(StandardCharsets.UTF_8);
  }

  @Test
  void get_disallowedQueryCharacter_rejected() throws Exception {
    Reply braces = client.getOverSocket("Action=Run{x}");
    Reply nonAscii = client.getOverSocket("Format=XML&Action=R\u00e9n");

    assertError(braces, 400, "InvalidParameter", "'{' (U+007B) at position 10");
    assertThat(nonAscii.status()).isEqualTo(400);
    assertThat(nonAscii.contentType()).isEqualTo("text/xml;charset=utf-8");
    assertThat(text(parseXml(nonAscii.body()).getDocumentElement(), "Message"))
        .contains("U+FFFD", "percent-encode");
  }

  @Test
  void post_malformedPercentEscapeInBody_invalidParameter() {
    Reply reply = client.post("", "Action=Run%G1", "application/x-www-form-urlencoded");

    assertError(reply, 400, "InvalidParameter", "form body");
  }

  @Test
  void get_invalidUtf8_invalidParameter() {
    assertError(client.get("Action=%C3%28"), 400, "InvalidParameter", "UTF-8");
  }

  @Test
  void get_nulInName_invalidParameter() {
    assertError(client.get("Act%00ion=RunCommand"), 400, "InvalidParameter", "NUL");
  }

  @Test
  void get_over200Parameters_invalidParameter() {
    StringBuilder query = new StringBuilder("Action=RunCommand");
    for (int i = 1; i <= 200; i++) {
      query.append("&DesktopId.").append(i).append("=ecd-").append(i);
    }

    assertError(client.get(query.toString()), 400, "InvalidParameter", "at most 200");
  }

  @Test
  void post_bodyOver64Kb_rejectedWithEnvelope() {
    // Only the head is sent: a server that rejects the body unread may reset the connection, and
    // a reset can discard the response before the client reads it.
    Reply reply =
        client.sendOverSocket(
            "POST / HTTP/1.1",
            "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 71680\r\n",
            "");

    assertThat(reply.status()).as(reply.body()).isIn(400, 413);
    assertThat(reply.field("Code")).isEqualTo("InvalidParameter");
    assertThat(reply.field("Message")).contains("65536 bytes");
    assertThat(reply.field("RequestId")).matches(UUID_UPPER);
  }

  @Test
  void post_chunkedBodyOver64Kb_rejectedWithEnvelope() {
    // 64 KB of chunks and one more byte, without the last chunk: the server has read everything
    // sent when it rejects the body, so closing the connection cannot reset it.
    String chunk = "a".repeat(8 * 1024);
    String chunks = ("2000\r\n" + chunk + "\r\n").repeat(8) + "1\r\na\r\n";

    Reply reply =
        client.sendOverSocket(
            "POST / HTTP/1.1",
            "Content-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n",
            chunks);

    assertThat(reply.status()).as(reply.body()).isIn(400, 413);
    assertThat(reply.field("Code")).isEqualTo("InvalidParameter");
    assertThat(reply.field("Message")).contains("65536 bytes");
  }

  @Test
  void post_jsonBody_invalidParameterNamingContentType() {
    assertError(
        client.post("", "{\"Action\":\"RunCommand\"}", "application/json"),
        400,
        "InvalidParameter",
        "application/json");
  }

  @Test
  void put_anyRequest_invalidParameterNamingMethod() throws Exception {
    java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
    java.net.http.HttpResponse<String> response =
        http.send(
            java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create(
                        "http://127.0.0.1:" + server.port() + "/?Action=RunCommand"))
                .PUT(java.net.http.HttpRequest.BodyPublishers.noBody())
                .build(),
            java.net.http.HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(response.body()).contains("\"Code\":\"InvalidParameter\"").contains("PUT");
  }

  @Test
  void get_base64ScriptOf16Kb_fitsRequestLine() {
    Map<String, String> parameters = parameters("RunCommand");
    parameters.put("ContentEncoding", "Base64");
    parameters.put("CommandContent", "+/+=".repeat(4096));

    Reply reply = getSigned(parameters);

    assertThat(reply.status()).as(reply.body()).isEqualTo(200);
    assertThat(lastRequest.get().parameters().required("CommandContent"))
        .isEqualTo("+/+=".repeat(4096));
  }

  @Test
  void get_requestLineOver64Kb_rejectedWithJsonEnvelope() {
    // Just over the limit, so the server has read nearly everything sent when it closes.
    Reply reply = client.get("CommandContent=" + "a".repeat(Gateway.MAX_REQUEST_HEAD_BYTES));

    assertThat(reply.status()).isBetween(400, 499);
    assertThat(reply.contentType()).isEqualTo("application/json;charset=utf-8");
    assertThat(reply.field("Code")).isEqualTo("InvalidParameter");
    assertThat(reply.field("Message")).contains("65536 bytes");
    assertThat(reply.field("RequestId")).matches(UUID_UPPER);
  }

  @Test
  void get_headersOver64Kb_rejectedWithJsonEnvelope() {
    Map<String, String> headers = new LinkedHashMap<>();
    // Just over the limit, so the server has read nearly everything sent when it closes.
    for (int i = 0; i < 8; i++) {
      headers.put("X-Padding-" + i, "p".repeat(8 * 1024));
    }

    Reply reply = client.postEmptyChunked("Action=RunCommand", headers);

    assertThat(reply.status()).isBetween(400, 499);
    assertThat(reply.contentType()).isEqualTo("application/json;charset=utf-8");
    assertThat(reply.field("Code")).isEqualTo("InvalidParameter");
    assertThat(reply.field("Message")).contains("65536 bytes");
  }

  @Test
  void postV3_signedRequest_servesAction() {
    Reply reply = client.postV3("RunCommand", v3Query(), NOW, V3_SIGNED_HEADERS, headers -> {});

    assertThat(reply.status()).as(reply.body()).isEqualTo(200);
    assertThat(reply.field("InvokeId")).isEqualTo("t-1");
    assertThat(lastRequest.get().action()).isEqualTo("RunCommand");
    assertThat(lastRequest.get().parameters().optional("EndUserId")).isEmpty();
  }

  @Test
  void postV3_formBody_coveredByContentHash() {
    List<String> signedNames = new java.util.ArrayList<>(V3_SIGNED_HEADERS);
    signedNames.add("content-type");

    Reply reply =
        client.postV3(
            "RunCommand",
            Map.of("RegionId", TestGateway.REGION),
            "CommandContent=echo+hi&Type=RunShellScript",
            NOW,
            signedNames,
            headers -> {});

    assertThat(reply.status()).as(reply.body()).isEqualTo(200);
    assertThat(lastRequest.get().parameters().required("CommandContent")).isEqualTo("echo hi");
  }

  @Test
  void postV3_contentHashMismatch_signatureDoesNotMatch() {
    Reply reply =
        client.postV3(
            "RunCommand",
            v3Query(),
            NOW,
            V3_SIGNED_HEADERS,
            headers -> headers.put("x-acs-content-sha256", Signatures.sha256Hex(new byte[] {1})));

    assertError(reply, 400, "SignatureDoesNotMatch", "x-acs-content-sha256");
  }

  @Test
  void postV3_queryChangedAfterSigning_signatureDoesNotMatch() {
    Map<String, String> signedQuery = v3Query();
    Reply reply =
        client.postV3(
            "RunCommand",
            signedQuery,
            NOW,
            V3_SIGNED_HEADERS,
            headers -> signedQuery.put("Timeout", "999"));

    assertError(reply, 400, "SignatureDoesNotMatch", "canonical request");
  }

  @Test
  void postV3_hostNotSigned_incompleteSignature() {
    List<String> withoutHost = V3_SIGNED_HEADERS.subList(1, V3_SIGNED_HEADERS.size());

    Reply reply = client.postV3("RunCommand", v3Query(), NOW, withoutHost, headers -> {});

    assertError(reply, 400, "IncompleteSignature", "host");
  }

  @Test
  void postV3_dateHeaderMissing_incompleteSignature() {
    Reply reply =
        client.postV3(
            "RunCommand",
            v3Query(),
            NOW,
            V3_SIGNED_HEADERS,
            headers -> headers.remove("x-acs-date"));

    assertError(reply, 400, "IncompleteSignature", "x-acs-date");
  }

  @Test
  void postV3_otherAlgorithm_invalidSignatureMethod() {
    Reply reply =
        client.postV3(
            "RunCommand",
            v3Query(),
            NOW,
            V3_SIGNED_HEADERS,
            headers ->
                headers.put(
                    "Authorization",
                    headers.get("Authorization").replace("ACS3-HMAC-SHA256", "ACS3-HMAC-SM3")));

    assertError(reply, 400, "InvalidSignatureMethod", "ACS3-HMAC-SM3");
  }

  @Test
  void postV3_expiredDate_invalidTimeStampExpired() {
    Reply reply =
        client.postV3(
            "RunCommand", v3Query(), NOW.minus(Duration.ofHours(1)), V3_SIGNED_HEADERS, h -> {});

    assertError(reply, 400, "InvalidTimeStamp.Expired", "x-acs-date");
  }

  @Test
  void postV3_securityTokenHeader_invalidSecurityTokenNotSupported() {
    Reply reply =
        client.postV3(
            "RunCommand",
            v3Query(),
            NOW,
            V3_SIGNED_HEADERS,
            headers -> headers.put("x-acs-security-token", "sts-token"));

    assertError(reply, 400, "InvalidSecurityToken.NotSupported", "x-acs-security-token");
  }

  private static final List<String> V3_SIGNED_HEADERS =
      List.of(
          "host",
          "x-acs-action",
          "x-acs-content-sha256",
          "x-acs-date",
          "x-acs-signature-nonce",
          "x-acs-version");

  private static Map<String, String> v3Query() {
    Map<String, String> query = new LinkedHashMap<>();
    query.put("CommandContent", "ipconfig /all");
    query.put("Type", "RunPowerShellScript");
    query.put("DesktopId.1", "ecd-a");
    query.put("EndUserId", "");
    query.put("RegionId", TestGateway.REGION);
    return query;
  }

  private static Document parseXml(String body) throws Exception {
    DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
    factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
    return factory
        .newDocumentBuilder()
        .parse(new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8)));
  }

  private static String text(Element parent, String tag) {
    NodeList nodes = parent.getElementsByTagName(tag);
    assertThat(nodes.getLength()).as("elements named " + tag).isGreaterThanOrEqualTo(1);
    return nodes.item(0).getTextContent();
  }
}
