package io.deskrun.server.gateway;

import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Verifies who signed a request, with V1 (HMAC-SHA1 over the parameters) or, when an {@code
 * Authorization} header is present, V3 (ACS3-HMAC-SHA256 over the canonical request).
 *
 * <p>Checks run from cheap to expensive, and a nonce is recorded only after the signature matched,
 * so that unsigned requests cannot fill the nonce registry or burn a client's nonces.
 */
final class Authenticator {
  /** How far a request time may be from the server time, and how long a nonce is remembered. */
  static final Duration WINDOW = Duration.ofMinutes(15);

  /** The longest SignatureNonce accepted, the width of the replay store's column. */
  static final int MAX_NONCE_CHARS = 128;

  static final String HEADER_DATE = "x-acs-date";
  static final String HEADER_NONCE = "x-acs-signature-nonce";
  static final String HEADER_CONTENT_SHA256 = "x-acs-content-sha256";
  static final String HEADER_ACTION = "x-acs-action";
  static final String HEADER_VERSION = "x-acs-version";
  static final String HEADER_SECURITY_TOKEN = "x-acs-security-token";

  /** The headers a V3 signature must cover; the time, nonce, body hash and call are in them. */
  private static final List<String> REQUIRED_SIGNED_HEADERS =
      List.of(
          "host", HEADER_ACTION, HEADER_VERSION, HEADER_DATE, HEADER_NONCE, HEADER_CONTENT_SHA256);

  private static final List<String> V1_SIGNATURE_PARAMETERS =
      List.of(
          "AccessKeyId",
          "Signature",
          "SignatureMethod",
          "SignatureVersion",
          "SignatureNonce",
          "Timestamp");

  private static final DateTimeFormatter TIMESTAMP =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss'Z'", Locale.ROOT)
          .withResolverStyle(ResolverStyle.STRICT);

  private final AccessKeyResolver accessKeys;
  private final NonceRegistry nonces;
  private final InstantSource clock;

  Authenticator(AccessKeyResolver accessKeys, NonceRegistry nonces, InstantSource clock) {
    this.accessKeys = accessKeys;
    this.nonces = nonces;
    this.clock = clock;
  }

  /** Returns true when the request is signed with V3, which puts its signature in a header. */
  static boolean isV3(ServerRequest request) {
    return request.headers().contains(HeaderNames.AUTHORIZATION);
  }

  /**
   * Returns the AccessKey that signed the request, or raises the API error of the first failure.
   */
  AccessKey authenticate(ServerRequest request, RequestParameters parameters) {
    return isV3(request) ? verifyV3(request, parameters) : verifyV1(request, parameters.merged());
  }

  private AccessKey verifyV1(ServerRequest request, Map<String, String> parameters) {
    rejectSecurityToken(parameters.get("SecurityToken"), "SecurityToken");
    for (String name : V1_SIGNATURE_PARAMETERS) {
      if (isNullOrEmpty(parameters.get(name))) {
        throw incomplete("The signature parameter " + name + " is missing or empty.");
      }
    }
    checkV1Method(parameters);
    checkNonceLength(parameters.get("SignatureNonce"), "SignatureNonce");
    Instant time = parseTime(parameters.get("Timestamp"), "Timestamp");
    AccessKey key = findKey(parameters.get("AccessKeyId"));

    String method = request.prologue().method().text();
    if (!v1SignatureMatches(method, parameters, key.secret())) {
      throw mismatch(
          "The signature does not match. The server's string to sign is: "
              + Signatures.v1StringToSign(method, parameters, false));
    }

    registerNonce(key, parameters.get("SignatureNonce"), time);
    return key;
  }

  private static void checkV1Method(Map<String, String> parameters) {
    String method = parameters.get("SignatureMethod");
    if (!method.equals("HMAC-SHA1")) {
      throw new ApiException(
          ApiError.INVALID_SIGNATURE_METHOD,
          "SignatureMethod " + method + " is not supported; send SignatureMethod=HMAC-SHA1.");
    }
    String version = parameters.get("SignatureVersion");
    if (!version.equals("1.0")) {
      throw new ApiException(
          ApiError.INVALID_SIGNATURE_METHOD,
          "SignatureVersion " + version + " is not supported; send SignatureVersion=1.0.");
    }
  }

  /**
   * Compares the V1 signature in both treatments of empty values. The Java SDKs leave parameters
   * with an empty value out of the string to sign, the Go SDK signs them, and a request does not
   * say which client sent it.
   */
  private static boolean v1SignatureMatches(
      String method, Map<String, String> parameters, String secret) {
    String sent = parameters.get("Signature");
    if (equalsConstantTime(Signatures.v1(method, parameters, secret, false), sent)) {
      return true;
    }
    boolean hasEmptyValue = parameters.values().stream().anyMatch(String::isEmpty);
    return hasEmptyValue
        && equalsConstantTime(Signatures.v1(method, parameters, secret, true), sent);
  }

  private AccessKey verifyV3(ServerRequest request, RequestParameters parameters) {
    rejectSecurityToken(header(request, HEADER_SECURITY_TOKEN).orElse(null), HEADER_SECURITY_TOKEN);
    V3Authorization authorization =
        V3Authorization.parse(header(request, HeaderNames.AUTHORIZATION.lowerCase()).orElse(""));
    Map<String, String> signedHeaders = signedHeaders(request, authorization);
    checkNonceLength(signedHeaders.get(HEADER_NONCE), HEADER_NONCE);
    Instant time = parseTime(signedHeaders.get(HEADER_DATE), HEADER_DATE);
    AccessKey key = findKey(authorization.accessKeyId());

    String bodyHash = Signatures.sha256Hex(parameters.body());
    if (!bodyHash.equalsIgnoreCase(signedHeaders.get(HEADER_CONTENT_SHA256))) {
      throw mismatch(
          "The x-acs-content-sha256 header does not match the body; the SHA-256 of the body is "
              + bodyHash
              + ".");
    }
    String method = request.prologue().method().text();
    String expected =
        Signatures.v3(method, parameters.query(), signedHeaders, bodyHash, key.secret());
    if (!equalsConstantTime(expected, authorization.signature().toLowerCase(Locale.ROOT))) {
      throw mismatch(
          "The signature does not match. The server's canonical request is: "
              + Signatures.v3CanonicalRequest(method, parameters.query(), signedHeaders, bodyHash));
    }

    registerNonce(key, signedHeaders.get(HEADER_NONCE), time);
    return key;
  }

  /**
   * Collects the values of the headers named in SignedHeaders, after checking that each is present
   * and that together they cover every header this gateway relies on.
   */
  private static Map<String, String> signedHeaders(
      ServerRequest request, V3Authorization authorization) {
    for (String required : REQUIRED_SIGNED_HEADERS) {
      if (!authorization.signedHeaders().contains(required)) {
        throw incomplete(
            "SignedHeaders does not include "
                + required
                + "; the signature must cover "
                + String.join(";", REQUIRED_SIGNED_HEADERS)
                + ".");
      }
    }

    Map<String, String> values = new LinkedHashMap<>();
    for (String name : authorization.signedHeaders()) {
      Optional<String> value = header(request, name);
      if (value.isEmpty() || value.get().isBlank()) {
        throw incomplete("The signed header " + name + " is missing or empty.");
      }
      values.put(name, value.get());
    }
    return values;
  }

  /** A nonce longer than the replay store keeps is malformed; the SDKs send 32 to 36 characters. */
  private static void checkNonceLength(String nonce, String name) {
    if (nonce.length() > MAX_NONCE_CHARS) {
      throw incomplete(
          name
              + " is "
              + nonce.length()
              + " characters long; at most "
              + MAX_NONCE_CHARS
              + " are allowed.");
    }
  }

  private static void rejectSecurityToken(String token, String name) {
    if (!isNullOrEmpty(token)) {
      throw new ApiException(
          ApiError.SECURITY_TOKEN_NOT_SUPPORTED,
          name + " is not supported; sign the request with an AccessKey and send no STS token.");
    }
  }

  private Instant parseTime(String text, String name) {
    Instant time;
    try {
      time = LocalDateTime.parse(text, TIMESTAMP).toInstant(ZoneOffset.UTC);
    } catch (DateTimeParseException e) {
      throw new ApiException(
          ApiError.TIMESTAMP_FORMAT,
          name + " \"" + text + "\" is not a UTC time in the form yyyy-MM-ddTHH:mm:ssZ.");
    }

    Instant now = clock.instant();
    if (Duration.between(time, now).abs().compareTo(WINDOW) > 0) {
      throw new ApiException(
          ApiError.TIMESTAMP_EXPIRED,
          name
              + " "
              + text
              + " is more than "
              + WINDOW.toMinutes()
              + " minutes away from the server time "
              + TIMESTAMP.format(now.atOffset(ZoneOffset.UTC))
              + ".");
    }
    return time;
  }

  private AccessKey findKey(String accessKeyId) {
    AccessKey key =
        accessKeys
            .find(accessKeyId)
            .orElseThrow(
                () ->
                    new ApiException(
                        ApiError.ACCESS_KEY_NOT_FOUND,
                        "The AccessKeyId " + accessKeyId + " does not exist."));
    if (!key.active()) {
      throw new ApiException(
          ApiError.ACCESS_KEY_INACTIVE, "The AccessKeyId " + accessKeyId + " is disabled.");
    }
    return key;
  }

  /**
   * Records the nonce until the request time can no longer pass the time check, which is the later
   * of the request time and the server time, plus the window.
   */
  private void registerNonce(AccessKey key, String nonce, Instant requestTime) {
    Instant now = clock.instant();
    Instant expiresAt = (requestTime.isAfter(now) ? requestTime : now).plus(WINDOW);
    if (!nonces.register(key.accessKeyId(), nonce, expiresAt)) {
      throw new ApiException(
          ApiError.NONCE_USED,
          "The SignatureNonce "
              + nonce
              + " was already used with this AccessKey in the last "
              + WINDOW.toMinutes()
              + " minutes.");
    }
  }

  private static Optional<String> header(ServerRequest request, String name) {
    HeaderName headerName = HeaderNames.create(name);
    List<String> values = request.headers().values(headerName);
    return values.isEmpty() ? Optional.empty() : Optional.of(String.join(",", values));
  }

  private static boolean equalsConstantTime(String expected, String sent) {
    return MessageDigest.isEqual(
        expected.getBytes(StandardCharsets.UTF_8), sent.getBytes(StandardCharsets.UTF_8));
  }

  private static boolean isNullOrEmpty(String value) {
    return value == null || value.isEmpty();
  }

  private static ApiException incomplete(String message) {
    return new ApiException(ApiError.INCOMPLETE_SIGNATURE, message);
  }

  private static ApiException mismatch(String message) {
    return new ApiException(ApiError.SIGNATURE_MISMATCH, message);
  }
}
