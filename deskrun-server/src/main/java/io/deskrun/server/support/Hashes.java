package io.deskrun.server.support;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * SHA-256 hashes of high-entropy secrets (activation codes, agent tokens). The secrets are random
 * and long, so an unsalted hash is enough to keep them out of the database.
 */
public final class Hashes {
  private Hashes() {}

  /** Returns the lower-case hex SHA-256 of the UTF-8 text. */
  public static String sha256(String text) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(digest.digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available in this JVM", e);
    }
  }

  /** Tells whether the text hashes to {@code expectedHash}, in time independent of the match. */
  public static boolean matches(String text, String expectedHash) {
    byte[] actual = sha256(text).getBytes(StandardCharsets.US_ASCII);
    byte[] expected = expectedHash.getBytes(StandardCharsets.US_ASCII);
    return MessageDigest.isEqual(actual, expected);
  }
}
