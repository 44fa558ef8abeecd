package io.deskrun.server.gateway;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** Computes Alibaba Cloud RPC signatures; used by the gateway to verify and by clients to sign. */
public final class Signatures {
  /** The V3 algorithm name, as sent at the start of the {@code Authorization} header. */
  public static final String V3_ALGORITHM = "ACS3-HMAC-SHA256";

  private Signatures() {}

  /**
   * Returns the V1 (HMAC-SHA1) signature of the parameters. {@code Signature} itself is left out;
   * empty values are signed only when {@code signEmptyValues} is true (the Go SDK signs them, the
   * Java SDKs do not).
   */
  public static String v1(
      String method, Map<String, String> parameters, String secret, boolean signEmptyValues) {
    return hmacBase64(
        "HmacSHA1", secret + "&", v1StringToSign(method, parameters, signEmptyValues));
  }

  /** Returns the V1 string to sign: METHOD&%2F&percentEncode(canonicalized query). */
  public static String v1StringToSign(
      String method, Map<String, String> parameters, boolean signEmptyValues) {
    StringJoiner canonical = new StringJoiner("&");
    for (Map.Entry<String, String> entry : new TreeMap<>(parameters).entrySet()) {
      boolean skipped =
          entry.getKey().equals("Signature") || (!signEmptyValues && entry.getValue().isEmpty());
      if (!skipped) {
        canonical.add(percentEncode(entry.getKey()) + "=" + percentEncode(entry.getValue()));
      }
    }
    return method + "&" + percentEncode("/") + "&" + percentEncode(canonical.toString());
  }

  /**
   * Returns the V3 (ACS3-HMAC-SHA256) signature as lower-case hex. The key is the secret itself,
   * without the {@code &} that V1 appends.
   *
   * @param query the query parameters; empty values are signed as {@code name=}
   * @param signedHeaders the signed headers by name; names are lower-cased and sorted here
   * @param hashedPayload hex SHA-256 of the exact body bytes, see {@link #sha256Hex(byte[])}
   */
  public static String v3(
      String method,
      Map<String, String> query,
      Map<String, String> signedHeaders,
      String hashedPayload,
      String secret) {
    String canonicalRequest = v3CanonicalRequest(method, query, signedHeaders, hashedPayload);
    return HexFormat.of().formatHex(hmac("HmacSHA256", secret, v3StringToSign(canonicalRequest)));
  }

  /**
   * Returns the V3 canonical request: METHOD, {@code /}, the canonical query, one {@code
   * name:value} line per signed header (names lower-cased and sorted, values trimmed), an empty
   * line, the signed header names joined by {@code ;}, and the hashed payload, joined by {@code
   * \n}.
   */
  public static String v3CanonicalRequest(
      String method,
      Map<String, String> query,
      Map<String, String> signedHeaders,
      String hashedPayload) {
    Map<String, String> headers = lowerCaseSorted(signedHeaders);
    StringBuilder canonicalHeaders = new StringBuilder();
    for (Map.Entry<String, String> header : headers.entrySet()) {
      canonicalHeaders.append(header.getKey()).append(':').append(header.getValue().trim());
      canonicalHeaders.append('\n');
    }

    return method
        + "\n/\n"
        + v3CanonicalQuery(query)
        + "\n"
        + canonicalHeaders
        + "\n"
        + v3SignedHeaders(headers.keySet())
        + "\n"
        + hashedPayload;
  }

  /** Returns the V3 string to sign: the algorithm name and the hex SHA-256 of the request. */
  public static String v3StringToSign(String canonicalRequest) {
    return V3_ALGORITHM + "\n" + sha256Hex(canonicalRequest.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Returns the {@code Authorization} header value for a V3 request signed over the given header
   * names.
   */
  public static String v3Authorization(
      String accessKeyId, Iterable<String> signedHeaderNames, String signature) {
    return V3_ALGORITHM
        + " Credential="
        + accessKeyId
        + ",SignedHeaders="
        + v3SignedHeaders(signedHeaderNames)
        + ",Signature="
        + signature;
  }

  /** Returns the lower-case hex SHA-256 of the bytes, as {@code x-acs-content-sha256} needs. */
  public static String sha256Hex(byte[] data) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("SHA-256 is not available in this JVM", e);
    }
  }

  private static String v3CanonicalQuery(Map<String, String> query) {
    StringJoiner canonical = new StringJoiner("&");
    for (Map.Entry<String, String> entry : new TreeMap<>(query).entrySet()) {
      canonical.add(percentEncode(entry.getKey()) + "=" + percentEncode(entry.getValue()));
    }
    return canonical.toString();
  }

  private static String v3SignedHeaders(Iterable<String> names) {
    TreeMap<String, String> sorted = new TreeMap<>();
    for (String name : names) {
      sorted.put(name.toLowerCase(Locale.ROOT), "");
    }
    return String.join(";", sorted.keySet());
  }

  private static Map<String, String> lowerCaseSorted(Map<String, String> headers) {
    TreeMap<String, String> sorted = new TreeMap<>();
    for (Map.Entry<String, String> header : headers.entrySet()) {
      sorted.put(header.getKey().toLowerCase(Locale.ROOT), header.getValue());
    }
    return sorted;
  }

  /**
   * Percent-encodes UTF-8 text, leaving only {@code A-Z a-z 0-9 - _ . ~} as they are (RFC 3986
   * unreserved characters), as both signature versions require.
   */
  public static String percentEncode(String text) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    StringBuilder out = new StringBuilder(bytes.length + 16);
    for (byte b : bytes) {
      int c = b & 0xFF;
      if (isUnreserved(c)) {
        out.append((char) c);
      } else {
        out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)));
        out.append(Character.toUpperCase(Character.forDigit(c & 0xF, 16)));
      }
    }
    return out.toString();
  }

  private static boolean isUnreserved(int c) {
    return (c >= 'A' && c <= 'Z')
        || (c >= 'a' && c <= 'z')
        || (c >= '0' && c <= '9')
        || c == '-'
        || c == '_'
        || c == '.'
        || c == '~';
  }

  static String hmacBase64(String algorithm, String key, String data) {
    return Base64.getEncoder().encodeToString(hmac(algorithm, key, data));
  }

  static byte[] hmac(String algorithm, String key, String data) {
    try {
      Mac mac = Mac.getInstance(algorithm);
      mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), algorithm));
      return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(algorithm + " is not available in this JVM", e);
    }
  }
}
