package io.deskrun.server.support;

import io.deskrun.server.gateway.ApiException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Issues and checks {@code NextToken} values. A token is the Base64url of a position text and its
 * HMAC-SHA256 under a server key, so a token the server did not issue (or one of another list or
 * account) is rejected instead of being read as a position.
 */
public final class PageTokens {
  private static final int MAC_BYTES = 16;
  private final byte[] key;

  /** Creates tokens signed with {@code key}; servers sharing a database must share the key. */
  public PageTokens(byte[] key) {
    this.key = key.clone();
  }

  /** Returns a token for the position; {@code scope} binds it to one list and account. */
  public String issue(String scope, String position) {
    byte[] body = position.getBytes(StandardCharsets.UTF_8);
    byte[] mac = mac(scope, body);
    byte[] token = Arrays.copyOf(body, body.length + MAC_BYTES);
    System.arraycopy(mac, 0, token, body.length, MAC_BYTES);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(token);
  }

  /**
   * Returns the position of a token this server issued for the same scope.
   *
   * @throws ApiException {@code InvalidParameter.NextToken} for any other text
   */
  public String read(String scope, String token) {
    byte[] bytes;
    try {
      bytes = Base64.getUrlDecoder().decode(token);
    } catch (IllegalArgumentException e) {
      throw invalid(token);
    }
    if (bytes.length <= MAC_BYTES) {
      throw invalid(token);
    }
    byte[] body = Arrays.copyOf(bytes, bytes.length - MAC_BYTES);
    byte[] mac = Arrays.copyOfRange(bytes, bytes.length - MAC_BYTES, bytes.length);
    if (!MessageDigest.isEqual(mac, mac(scope, body))) {
      throw invalid(token);
    }
    return new String(body, StandardCharsets.UTF_8);
  }

  private byte[] mac(String scope, byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      mac.update(scope.getBytes(StandardCharsets.UTF_8));
      mac.update((byte) 0);
      return Arrays.copyOf(mac.doFinal(body), MAC_BYTES);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available in this JVM", e);
    }
  }

  private static ApiException invalid(String token) {
    return ApiException.invalidParameter(
        "NextToken",
        "NextToken \""
            + abbreviate(token)
            + "\" was not issued by this server for this request; send the NextToken of the"
            + " previous page unchanged, or leave it out to start from the first page.");
  }

  private static String abbreviate(String token) {
    return token.length() <= 64 ? token : token.substring(0, 64) + "...";
  }
}
