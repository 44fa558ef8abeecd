package io.deskrun.server.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;
import java.util.UUID;

/** Builds signed V1 and V3 requests by hand and sends them with {@code java.net.http}. */
final class RawClient {
  private static final DateTimeFormatter TIMESTAMP =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss'Z'").withZone(ZoneOffset.UTC);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** A response with its body as text and, for JSON bodies, parsed. */
  record Reply(int status, String contentType, String body) {
    JsonNode json() {
      try {
        return JSON.readTree(body);
      } catch (IOException e) {
        throw new UncheckedIOException("The body is not JSON: " + body, e);
      }
    }

    String field(String name) {
      JsonNode node = json().get(name);
      return node == null ? null : node.asText();
    }
  }

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final int port;
  private final String keyId;
  private final String secret;

  /** A client of a {@link TestGateway}, signing with its active AccessKey. */
  RawClient(int port) {
    this(port, TestGateway.KEY_ID, TestGateway.SECRET);
  }

  /** A client that signs V3 requests and {@link #parameters} with this AccessKey. */
  RawClient(int port, String keyId, String secret) {
    this.port = port;
    this.keyId = keyId;
    this.secret = secret;
  }

  /** Returns the common V1 parameters for this client's AccessKey at the given time, unsigned. */
  Map<String, String> parameters(String action, Instant time) {
    Map<String, String> parameters = v1Parameters(action, time);
    parameters.put("AccessKeyId", keyId);
    return parameters;
  }

  /** Adds the V1 signature with this client's secret, as the Java SDKs compute it. */
  Map<String, String> sign(String method, Map<String, String> parameters) {
    return signV1(method, parameters, secret);
  }

  /** Returns the common V1 parameters of a RunCommand call at the given time, unsigned. */
  static Map<String, String> v1Parameters(String action, Instant time) {
    Map<String, String> parameters = new LinkedHashMap<>();
    parameters.put("Action", action);
    parameters.put("Version", "2020-09-30");
    parameters.put("Format", "JSON");
    parameters.put("AccessKeyId", TestGateway.KEY_ID);
    parameters.put("SignatureMethod", "HMAC-SHA1");
    parameters.put("SignatureVersion", "1.0");
    parameters.put("SignatureNonce", UUID.randomUUID().toString());
    parameters.put("Timestamp", TIMESTAMP.format(time));
    parameters.put("RegionId", TestGateway.REGION);
    return parameters;
  }

  static String timestamp(Instant time) {
    return TIMESTAMP.format(time);
  }

  /** Adds the V1 signature of the parameters, as the Java SDKs compute it. */
  static Map<String, String> signV1(String method, Map<String, String> parameters, String secret) {
    Map<String, String> signed = new LinkedHashMap<>(parameters);
    signed.remove("Signature");
    signed.put("Signature", Signatures.v1(method, signed, secret, false));
    return signed;
  }

  /** Returns {@code name=value&...} with both parts percent-encoded. */
  static String encode(Map<String, String> parameters) {
    StringJoiner query = new StringJoiner("&");
    parameters.forEach(
        (name, value) ->
            query.add(Signatures.percentEncode(name) + "=" + Signatures.percentEncode(value)));
    return query.toString();
  }

  Reply get(String rawQuery) {
    return send(builder(rawQuery).GET().build());
  }

  /** Sends POST with a form body; a null content type sends none. */
  Reply post(String rawQuery, String body, String contentType) {
    HttpRequest.Builder request =
        builder(rawQuery).POST(BodyPublishers.ofString(body, StandardCharsets.UTF_8));
    if (contentType != null) {
      request.header("Content-Type", contentType);
    }
    return send(request.build());
  }

  /** Sends POST with an empty body in chunked transfer encoding, as the Java Tea SDK does. */
  Reply postEmptyChunked(String rawQuery, Map<String, String> headers) {
    HttpRequest.Builder request =
        builder(rawQuery).POST(BodyPublishers.ofInputStream(InputStream::nullInputStream));
    headers.forEach(request::header);
    return send(request.build());
  }

  /**
   * Sends a V3-signed POST with the query parameters and an empty chunked body; {@code tamper} may
   * change the headers after signing.
   */
  Reply postV3(
      String action,
      Map<String, String> query,
      Instant time,
      List<String> signedNames,
      java.util.function.Consumer<Map<String, String>> tamper) {
    return postV3(action, query, "", time, signedNames, tamper);
  }

  /**
   * Sends a V3-signed POST with the query parameters and a form body, which V3 covers through
   * {@code x-acs-content-sha256}; an empty body is sent chunked, as the Tea SDK does.
   */
  Reply postV3(
      String action,
      Map<String, String> query,
      String formBody,
      Instant time,
      List<String> signedNames,
      java.util.function.Consumer<Map<String, String>> tamper) {
    byte[] body = formBody.getBytes(StandardCharsets.UTF_8);
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("host", "127.0.0.1:" + port);
    headers.put("x-acs-action", action);
    headers.put("x-acs-version", "2020-09-30");
    headers.put("x-acs-date", timestamp(time));
    headers.put("x-acs-signature-nonce", UUID.randomUUID().toString());
    headers.put("x-acs-content-sha256", Signatures.sha256Hex(body));
    if (body.length > 0) {
      headers.put("content-type", "application/x-www-form-urlencoded");
    }

    Map<String, String> signedHeaders = new LinkedHashMap<>();
    signedNames.forEach(name -> signedHeaders.put(name, headers.get(name)));
    String signature =
        Signatures.v3("POST", query, signedHeaders, headers.get("x-acs-content-sha256"), secret);
    headers.put("Authorization", Signatures.v3Authorization(keyId, signedNames, signature));
    tamper.accept(headers);

    headers.remove("host");
    if (body.length == 0) {
      return postEmptyChunked(encode(query), headers);
    }
    HttpRequest.Builder request = builder(encode(query)).POST(BodyPublishers.ofByteArray(body));
    headers.forEach(request::header);
    return send(request.build());
  }

  /**
   * Sends {@code GET /?<rawQuery>} over a plain socket, for queries that {@code java.net.URI}
   * rejects, and returns the status and body of the response.
   */
  Reply getOverSocket(String rawQuery) {
    return sendOverSocket("GET /?" + rawQuery + " HTTP/1.1", "", "");
  }

  /**
   * Sends the request line, the extra header lines (each ending in CRLF) and the raw bytes after
   * the header block over a plain socket, and returns the status and body of the response.
   */
  Reply sendOverSocket(String requestLine, String extraHeaders, String afterHeaders) {
    String request =
        requestLine
            + "\r\nHost: 127.0.0.1:"
            + port
            + "\r\nConnection: close\r\n"
            + extraHeaders
            + "\r\n"
            + afterHeaders;
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
      return readResponse(socket.getInputStream());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Reads one response with a Content-Length body, without waiting for the server to close: a
   * server may keep reading an unfinished request body after it has responded.
   */
  private static Reply readResponse(InputStream in) throws IOException {
    StringBuilder head = new StringBuilder();
    while (head.indexOf("\r\n\r\n") < 0) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("The connection closed inside the response head: " + head);
      }
      head.append((char) b);
    }

    int status = Integer.parseInt(head.substring(9, 12));
    Map<String, String> headers = new LinkedHashMap<>();
    for (String line : head.toString().split("\r\n")) {
      int colon = line.indexOf(':');
      if (colon > 0) {
        headers.put(
            line.substring(0, colon).trim().toLowerCase(Locale.ROOT),
            line.substring(colon + 1).trim());
      }
    }
    int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
    String body = new String(in.readNBytes(length), StandardCharsets.UTF_8);
    return new Reply(status, headers.getOrDefault("content-type", ""), body);
  }

  private HttpRequest.Builder builder(String rawQuery) {
    String query = rawQuery.isEmpty() ? "" : "?" + rawQuery;
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/" + query))
        .timeout(Duration.ofSeconds(10));
  }

  private Reply send(HttpRequest request) {
    try {
      HttpResponse<String> response =
          http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
      String contentType = response.headers().firstValue("Content-Type").orElse("");
      return new Reply(response.statusCode(), contentType, response.body());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while sending " + request.uri(), e);
    }
  }
}
