package io.deskrun.server.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.deskrun.server.gateway.RawClient.Reply;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Hostile requests against the real server, sent over a plain socket so that nothing is cleaned up
 * on the way: each gets a 4xx JSON envelope naming the limit or rule, and the server keeps serving.
 */
class HostileInputTest {
  @TempDir static Path dir;

  private static LiveServer server;

  @BeforeAll
  static void start() throws Exception {
    server = LiveServer.start(dir);
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  /** Returns a signed DescribeInvocations query with these parameters added. */
  private static String signedQuery(Map<String, String> extra) {
    Map<String, String> all = server.raw().parameters("DescribeInvocations", Instant.now());
    all.putAll(extra);
    return RawClient.encode(server.raw().sign("GET", all));
  }

  private static Reply get(String rawQuery) {
    return server.raw().getOverSocket(rawQuery);
  }

  private static Reply post(String rawQuery, String body) {
    return server
        .raw()
        .sendOverSocket(
            "POST /?" + rawQuery + " HTTP/1.1",
            "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: "
                + body.length()
                + "\r\n",
            body);
  }

  static Stream<Arguments> requests() {
    return Stream.of(
        Arguments.of("request line over 64 KB", 414, "65536"),
        Arguments.of("headers over 64 KB", 400, "65536"),
        Arguments.of("body over 64 KB", 400, "65536"),
        Arguments.of("201 parameters", 400, "at most 200"),
        Arguments.of("malformed percent-escape", 400, "percent-"),
        Arguments.of("invalid UTF-8", 400, "UTF-8"),
        Arguments.of("NUL in a name", 400, "NUL"),
        Arguments.of("empty name", 400, "empty name"),
        Arguments.of("duplicated name", 400, "different values"),
        Arguments.of("huge DesktopId index", 400, "DesktopIds.99999999999999999999999"),
        Arguments.of("NUL in a value", 400, "IncludeOutput"),
        Arguments.of("MaxResults at 2^63", 400, "9223372036854775808"));
  }

  private static Reply send(String name) {
    return switch (name) {
      case "request line over 64 KB" -> get(signedQuery(Map.of("Pad", "x".repeat(70_000))));
      case "headers over 64 KB" ->
          server
              .raw()
              .sendOverSocket(
                  "GET /?" + signedQuery(Map.of()) + " HTTP/1.1",
                  "X-Pad: " + "x".repeat(70_000) + "\r\n",
                  "");
      case "body over 64 KB" -> post(signedQuery(Map.of()), "Pad=" + "x".repeat(70_000));
      case "201 parameters" -> get(signedQuery(Map.of()) + "&" + parameters201());
      case "malformed percent-escape" -> get(signedQuery(Map.of()) + "&x=%G1");
      case "invalid UTF-8" -> get(signedQuery(Map.of()) + "&x=%C3%28");
      case "NUL in a name" -> get(signedQuery(Map.of()) + "&a%00b=1");
      case "empty name" -> get(signedQuery(Map.of()) + "&=1");
      case "duplicated name" -> get(signedQuery(Map.of("MaxResults", "5")) + "&MaxResults=6");
      case "huge DesktopId index" ->
          get(signedQuery(Map.of("DesktopIds.99999999999999999999999", "ecd-a")));
      case "NUL in a value" -> get(signedQuery(Map.of("IncludeOutput", "tr\u0000ue")));
      case "MaxResults at 2^63" -> get(signedQuery(Map.of("MaxResults", "9223372036854775808")));
      default -> throw new IllegalArgumentException(name);
    };
  }

  private static String parameters201() {
    Map<String, String> parameters = new LinkedHashMap<>();
    for (int i = 1; i <= 201; i++) {
      parameters.put("p" + i, "1");
    }
    return RawClient.encode(parameters);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("requests")
  void hostileRequest_answers4xxEnvelopeAndServerKeepsServing(
      String name, int status, String messagePart) {
    Reply reply = send(name);

    assertThat(reply.status()).as(reply.body()).isEqualTo(status);
    assertThat(reply.contentType()).startsWith("application/json");
    assertThat(reply.field("Code")).startsWith("InvalidParameter");
    assertThat(reply.body()).contains(messagePart);
    assertThat(reply.field("RequestId")).isNotBlank();
    assertThat(get(signedQuery(Map.of())).status()).isEqualTo(200);
  }
}
