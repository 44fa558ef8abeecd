package io.deskrun.server.gateway;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The parts of a V3 {@code Authorization} header: {@code ACS3-HMAC-SHA256
 * Credential=<AccessKeyId>,SignedHeaders=<a;b;c>,Signature=<hex>}.
 */
record V3Authorization(String accessKeyId, List<String> signedHeaders, String signature) {

  /**
   * Parses the header value. An algorithm other than {@link Signatures#V3_ALGORITHM} is {@code
   * InvalidSignatureMethod}; a missing or empty part is {@code IncompleteSignature}.
   */
  static V3Authorization parse(String header) {
    String text = header.trim();
    int space = text.indexOf(' ');
    String algorithm = space < 0 ? text : text.substring(0, space);
    if (!algorithm.equals(Signatures.V3_ALGORITHM)) {
      throw new ApiException(
          ApiError.INVALID_SIGNATURE_METHOD,
          "The Authorization algorithm \""
              + algorithm
              + "\" is not supported; sign with "
              + Signatures.V3_ALGORITHM
              + ".");
    }

    Map<String, String> parts = splitParts(space < 0 ? "" : text.substring(space + 1));
    String credential = requirePart(parts, "Credential");
    String signedHeaders = requirePart(parts, "SignedHeaders");
    String signature = requirePart(parts, "Signature");
    List<String> names =
        Arrays.stream(signedHeaders.split(";"))
            .map(name -> name.trim().toLowerCase(Locale.ROOT))
            .filter(name -> !name.isEmpty())
            .toList();
    return new V3Authorization(credential, names, signature);
  }

  private static Map<String, String> splitParts(String text) {
    Map<String, String> parts = new HashMap<>();
    for (String part : text.split(",")) {
      int equals = part.indexOf('=');
      if (equals > 0) {
        parts.put(part.substring(0, equals).trim(), part.substring(equals + 1).trim());
      }
    }
    return parts;
  }

  private static String requirePart(Map<String, String> parts, String name) {
    String value = parts.get(name);
    if (value == null || value.isEmpty()) {
      throw new ApiException(
          ApiError.INCOMPLETE_SIGNATURE,
          "The Authorization header has no "
              + name
              + "; expected "
              + Signatures.V3_ALGORITHM
              + " Credential=<AccessKeyId>,SignedHeaders=<names>,Signature=<hex>.");
    }
    return value;
  }
}
