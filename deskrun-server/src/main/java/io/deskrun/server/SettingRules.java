package io.deskrun.server;

import io.deskrun.protocol.AgentProtocol;
import io.deskrun.server.storage.Database;
import java.time.Duration;
import java.util.Base64;
import java.util.Set;
import java.util.regex.Pattern;

/** Checks of setting values; each failure names the setting, the value and the rule. */
final class SettingRules {
  private static final Pattern REGION_ID = Pattern.compile("[a-z0-9]+(-[a-z0-9]+)*");
  private static final int MASTER_KEY_BYTES = 32;

  private SettingRules() {}

  static String requireNonBlank(String name, String value) {
    if (value == null || value.isBlank()) {
      throw invalid(name, value, "must not be empty");
    }
    return value.strip();
  }

  static long requireRange(String name, long value, long min, long max) {
    if (value < min || value > max) {
      throw invalid(name, String.valueOf(value), "must be an integer from " + min + " to " + max);
    }
    return value;
  }

  static long parseRange(String name, String text, long min, long max) {
    long value;
    try {
      value = Long.parseLong(text.strip());
    } catch (NumberFormatException e) {
      throw invalid(name, text, "must be an integer from " + min + " to " + max);
    }
    return requireRange(name, value, min, max);
  }

  static Duration requirePositive(String name, Duration value) {
    if (value == null || value.isNegative() || value.isZero()) {
      throw invalid(
          name, value == null ? "null" : String.valueOf(value.toSeconds()), "must be at least 1");
    }
    return value;
  }

  static Duration requireLongPollWait(Duration value) {
    long max = AgentProtocol.MAX_POLL_WAIT_SECONDS;
    if (value == null || value.isNegative() || value.isZero() || value.toSeconds() > max) {
      throw invalid(
          SettingNames.LONG_POLL_WAIT,
          value == null ? "null" : String.valueOf(value.toSeconds()),
          "must be from 1 to " + max + " seconds");
    }
    return value;
  }

  static String requireJdbcUrl(String value) {
    if (value == null || !(value.startsWith("jdbc:h2:") || value.startsWith("jdbc:postgresql:"))) {
      throw invalid(
          SettingNames.DATABASE_URL,
          value == null ? null : Database.maskPassword(value),
          "must be a JDBC URL starting with jdbc:h2: or jdbc:postgresql:");
    }
    return value;
  }

  static Set<String> requireRegions(Set<String> value) {
    if (value == null || value.isEmpty()) {
      throw invalid(SettingNames.REGIONS, String.valueOf(value), "must list at least one region");
    }
    for (String region : value) {
      if (region == null || !REGION_ID.matcher(region).matches()) {
        throw invalid(
            SettingNames.REGIONS,
            String.valueOf(region),
            "each region must be lower-case letters and digits joined by '-', like cn-hangzhou");
      }
    }
    return Set.copyOf(value);
  }

  /** Checks that the key is Base64 of exactly 32 bytes; the message never repeats the key. */
  static String requireMasterKey(String value) {
    byte[] key;
    try {
      key = Base64.getDecoder().decode(value.strip());
    } catch (IllegalArgumentException e) {
      key = new byte[0];
    }
    if (key.length != MASTER_KEY_BYTES) {
      throw invalid(
          SettingNames.MASTER_KEY,
          "(hidden)",
          "must be standard Base64 of exactly " + MASTER_KEY_BYTES + " bytes");
    }
    return value.strip();
  }

  static IllegalArgumentException invalid(String name, String value, String rule) {
    return new IllegalArgumentException(
        "Invalid setting " + name + "=\"" + value + "\": " + rule + ".");
  }
}
