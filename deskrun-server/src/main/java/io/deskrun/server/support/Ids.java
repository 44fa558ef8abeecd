package io.deskrun.server.support;

import java.security.SecureRandom;

/**
 * Identifiers and secrets, their random parts all drawn from one {@link SecureRandom}. Invocation
 * ids start with their creation time, so that new rows go to the end of the indexes keyed by them.
 */
public final class Ids {
  private static final String LOWER_ALPHANUMERIC = "abcdefghijklmnopqrstuvwxyz0123456789";
  private static final String ALPHANUMERIC =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  private static final SecureRandom RANDOM = new SecureRandom();

  /** Base-36 digits of the time prefix of an invocation id. */
  private static final int TIME_DIGITS = 9;

  /** The last epoch ms that fits in the time prefix, in the year 5188. */
  private static final long MAX_TIME = Long.parseLong("z".repeat(TIME_DIGITS), 36);

  private static final int INVOKE_ID_CHARS = 24;

  private Ids() {}

  /** Returns a desktop id: {@code ecd-} and 20 lower-case letters or digits. */
  public static String desktopId() {
    return "ecd-" + random(LOWER_ALPHANUMERIC, 20);
  }

  /** Returns an activation id: {@code act-} and 24 lower-case letters or digits. */
  public static String activationId() {
    return "act-" + random(LOWER_ALPHANUMERIC, 24);
  }

  /**
   * Returns an invocation id: {@code t-}, the creation time in epoch ms as 9 base-36 digits, and 15
   * random lower-case letters or digits (77 random bits). Ids of later milliseconds sort after
   * earlier ones as text, so inserts fill the last pages of the indexes that start with the id.
   * With random ids, each write of H2's file rewrote pages all over those indexes.
   */
  public static String invokeId(long epochMillis) {
    if (epochMillis < 0 || epochMillis > MAX_TIME) {
      throw new IllegalArgumentException(
          "Invalid time for an invocation id: "
              + epochMillis
              + " epoch ms; it must be 0 to "
              + MAX_TIME
              + " ("
              + TIME_DIGITS
              + " base-36 digits).");
    }
    String time = Long.toString(epochMillis, 36);
    return "t-"
        + "0".repeat(TIME_DIGITS - time.length())
        + time
        + random(LOWER_ALPHANUMERIC, INVOKE_ID_CHARS - TIME_DIGITS);
  }

  /** Returns an AccessKey id: {@code LTAI} and 20 letters or digits. */
  public static String accessKeyId() {
    return "LTAI" + random(ALPHANUMERIC, 20);
  }

  /** Returns an AccessKey secret: 30 letters or digits. */
  public static String accessKeySecret() {
    return random(ALPHANUMERIC, 30);
  }

  /** Returns a secret of {@code length} letters or digits, for activation codes and tokens. */
  public static String secret(int length) {
    return random(ALPHANUMERIC, length);
  }

  private static String random(String alphabet, int length) {
    StringBuilder out = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      out.append(alphabet.charAt(RANDOM.nextInt(alphabet.length())));
    }
    return out.toString();
  }
}
