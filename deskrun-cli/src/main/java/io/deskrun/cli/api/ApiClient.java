package io.deskrun.cli.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.deskrun.server.gateway.Signatures;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.StringJoiner;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;

/**
 * Calls the deskrun API the way the official Java SDK does: {@code POST /?<parameters>} with an
 * empty body, signed with the V1 (HMAC-SHA1) signature, responses parsed as JSON.
 */
public final class ApiClient {
  static final String API_VERSION = "2020-09-30";

  private static final DateTimeFormatter TIMESTAMP =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss'Z'").withZone(ZoneOffset.UTC);
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Credentials credentials;
  private final HttpClient http;
  // Names the certificates trusted for https in error messages, or null for the JDK's defaults.
  private final String trusted;
  private final Clock clock;
  private final Supplier<String> nonces;

  ApiClient(Credentials credentials, HttpClient http, Clock clock, Supplier<String> nonces) {
    this(credentials, http, null, clock, nonces);
  }

  private ApiClient(
      Credentials credentials,
      HttpClient http,
      String trusted,
      Clock clock,
      Supplier<String> nonces) {
    this.credentials = credentials;
    this.http = http;
    this.trusted = trusted;
    this.clock = clock;
    this.nonces = nonces;
  }

  /**
   * Creates a client with the system clock and random nonces that trusts the JDK's default trust
   * store for an https endpoint.
   */
  public static ApiClient create(Credentials credentials) {
    HttpClient http = httpClient().build();
    return new ApiClient(credentials, http, null, Clock.systemUTC(), randomNonces());
  }

  /**
   * Creates a client like {@link #create(Credentials)} whose https connections trust what {@code
   * sslContext} trusts instead.
   *
   * @param trusted names those certificates in error messages, such as {@code --ca-cert ca.crt}
   */
  public static ApiClient create(Credentials credentials, SSLContext sslContext, String trusted) {
    HttpClient http = httpClient().sslContext(sslContext).build();
    return new ApiClient(credentials, http, trusted, Clock.systemUTC(), randomNonces());
  }

  private static HttpClient.Builder httpClient() {
    return HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10));
  }

  public Credentials credentials() {
    return credentials;
  }

  /**
   * Calls an action and returns the response body. {@code RegionId} is added from the credentials
   * unless the parameters carry one.
   *
   * @throws ApiCallException when the server returns an error envelope
   * @throws ServerUnreachableException when the endpoint cannot be reached or does not return JSON
   */
  public JsonNode call(String action, Map<String, String> parameters) {
    Map<String, String> signed = signedParameters(action, parameters);
    URI uri = credentials.endpointUri().resolve("/?" + queryString(signed));
    HttpRequest request =
        HttpRequest.newBuilder(uri)
            .timeout(REQUEST_TIMEOUT)
            .header("Accept", "application/json")
            .POST(HttpRequest.BodyPublishers.noBody())
            .build();

    HttpResponse<String> response = send(request);
    return parseResponse(action, response);
  }

  /** Returns the parameters with the common ones and the V1 {@code Signature} added. */
  Map<String, String> signedParameters(String action, Map<String, String> parameters) {
    Map<String, String> all = new LinkedHashMap<>();
    all.put("Action", action);
    all.put("Version", API_VERSION);
    all.put("Format", "json");
    all.put("AccessKeyId", credentials.accessKeyId());
    all.put("SignatureMethod", "HMAC-SHA1");
    all.put("SignatureVersion", "1.0");
    all.put("SignatureNonce", nonces.get());
    all.put("Timestamp", TIMESTAMP.format(clock.instant().truncatedTo(ChronoUnit.SECONDS)));
    all.put("RegionId", credentials.regionId());
    all.putAll(parameters);

    // Like the Java SDKs, leave empty values out of the string to sign; the server accepts both.
    all.put("Signature", Signatures.v1("POST", all, credentials.accessKeySecret(), false));
    return all;
  }

  static String queryString(Map<String, String> parameters) {
    StringJoiner query = new StringJoiner("&");
    parameters.forEach(
        (name, value) ->
            query.add(Signatures.percentEncode(name) + "=" + Signatures.percentEncode(value)));
    return query.toString();
  }

  private HttpResponse<String> send(HttpRequest request) {
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (ConnectException e) {
      throw new ServerUnreachableException(
          "Cannot connect to "
              + credentials.endpoint()
              + "; is `deskrun server` running there? ("
              + e
              + ")",
          e);
    } catch (IOException e) {
      String mismatch =
          // A certificate the client rejected shows that the server speaks TLS.
          ProtocolMismatch.hasCause(e, CertificateException.class)
              ? null
              : ProtocolMismatch.describe(credentials.endpoint(), credentials.endpointUri());
      String tlsFailure = TlsFailures.describe(e, credentials.endpoint(), trusted);
      String message = mismatch != null ? mismatch : tlsFailure;
      throw new ServerUnreachableException(
          message != null ? message : "Request to " + credentials.endpoint() + " failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ServerUnreachableException(
          "Interrupted while calling " + credentials.endpoint(), e);
    }
  }

  static JsonNode parseResponse(String action, HttpResponse<String> response) {
    JsonNode body = parseJson(action, response);
    if (response.statusCode() / 100 == 2) {
      return body;
    }

    throw new ApiCallException(
        body.path("Code").asText("HttpStatus" + response.statusCode()),
        body.path("Message").asText(""),
        body.path("RequestId").asText(""),
        response.statusCode());
  }

  private static JsonNode parseJson(String action, HttpResponse<String> response) {
    try {
      JsonNode body = JSON.readTree(response.body());
      if (body != null && body.isObject()) {
        return body;
      }
    } catch (JsonProcessingException e) {
      // Reported below with the status and the start of the body.
    }
    String start =
        response.body().length() > 200 ? response.body().substring(0, 200) : response.body();
    throw new ServerUnreachableException(
        action
            + " returned HTTP "
            + response.statusCode()
            + " without a JSON object; is the endpoint a deskrun server? Body starts with: "
            + start,
        null);
  }

  private static Supplier<String> randomNonces() {
    SecureRandom random = new SecureRandom();
    return () -> {
      byte[] bytes = new byte[16];
      random.nextBytes(bytes);
      return HexFormat.of().formatHex(bytes);
    };
  }
}
