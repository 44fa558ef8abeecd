package io.deskrun.server.gateway;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.Map;
import java.util.StringJoiner;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** Computes Alibaba Cloud RPC signatures; used by the gateway to verify and by clients to sign. */
public final class Signatures {
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
