package io.deskrun.server.support;

import java.security.SecureRandom;

/** Random identifiers and secrets, all drawn from one {@link SecureRandom}. */
public final class Ids {
  private static final String LOWER_ALPHANUMERIC = "abcdefghijklmnopqrstuvwxyz0123456789";
  private static final String ALPHANUMERIC =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  private static final SecureRandom RANDOM = new SecureRandom();

  private Ids() {}

  /** Returns a desktop id: {@code ecd-} and 20 lower-case letters or digits. */
  public static String desktopId() {
    return "ecd-" + random(LOWER_ALPHANUMERIC, 20);
  }

  /** Returns an activation id: {@code act-} and 24 lower-case letters or digits. */
  public static String activationId() {
    return "act-" + random(LOWER_ALPHANUMERIC, 24);
  }

  /** Returns an invocation id: {@code t-} and 24 lower-case letters or digits. */
  public static String invokeId() {
    return "t-" + random(LOWER_ALPHANUMERIC, 24);
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
