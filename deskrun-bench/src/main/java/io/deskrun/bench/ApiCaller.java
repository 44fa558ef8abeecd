package io.deskrun.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.deskrun.server.gateway.Signatures;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.StringJoiner;
import java.util.UUID;
import java.util.concurrent.Executors;

/**
 * Calls the API as the official SDK does: {@code POST /?<parameters>}, V1 (HMAC-SHA1) signature,
 * JSON responses. One instance is shared by many virtual threads.
 */
final class ApiCaller {
  private static final DateTimeFormatter TIMESTAMP =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss'Z'").withZone(ZoneOffset.UTC);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final URI endpoint;
  private final String accessKeyId;
  private final String accessKeySecret;
  private final String regionId;
  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(10))
          .executor(Executors.newVirtualThreadPerTaskExecutor())
          .build();

  ApiCaller(URI endpoint, String accessKeyId, String accessKeySecret, String regionId) {
    this.endpoint = endpoint;
    this.accessKeyId = accessKeyId;
    this.accessKeySecret = accessKeySecret;
    this.regionId = regionId;
  }

  /** Calls an action and returns the response body; an error envelope throws. */
  JsonNode call(String action, Map<String, String> parameters) {
    Map<String, String> all = new LinkedHashMap<>();
    all.put("Action", action);
    all.put("Version", "2020-09-30");
    all.put("Format", "json");
    all.put("AccessKeyId", accessKeyId);
    all.put("SignatureMethod", "HMAC-SHA1");
    all.put("SignatureVersion", "1.0");
    all.put("SignatureNonce", UUID.randomUUID().toString());
    all.put("Timestamp", TIMESTAMP.format(Instant.now().truncatedTo(ChronoUnit.SECONDS)));
    all.put("RegionId", regionId);
    all.putAll(parameters);
    all.put("Signature", Signatures.v1("POST", all, accessKeySecret, false));

    HttpRequest request =
        HttpRequest.newBuilder(endpoint.resolve("/?" + query(all)))
            .timeout(Duration.ofSeconds(60))
            .POST(HttpRequest.BodyPublishers.noBody())
            .build();
    HttpResponse<byte[]> response = send(request, action);
    JsonNode body = parse(response.body(), action);
    if (response.statusCode() != 200) {
      throw new BenchException(
          action + " returned HTTP " + response.statusCode() + ": " + body.path("Code").asText());
    }
    return body;
  }

  private HttpResponse<byte[]> send(HttpRequest request, String action) {
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw new BenchException(action + " failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BenchException(action + " was interrupted", e);
    }
  }

  private static JsonNode parse(byte[] body, String action) {
    try {
      return JSON.readTree(body);
    } catch (IOException e) {
      throw new BenchException(action + " returned a body that is not JSON", e);
    }
  }

  private static String query(Map<String, String> parameters) {
    StringJoiner query = new StringJoiner("&");
    parameters.forEach(
        (name, value) ->
            query.add(Signatures.percentEncode(name) + "=" + Signatures.percentEncode(value)));
    return query.toString();
  }
}
