package io.deskrun.server.support;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** Formats times as the API shows them: UTC, ISO 8601 to the second, like 2026-12-04T19:19:36Z. */
public final class ApiTimes {
  private static final DateTimeFormatter FORMAT =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss'Z'").withZone(ZoneOffset.UTC);

  private ApiTimes() {}

  /** Formats epoch milliseconds; null stays null so that the field is left out. */
  public static String format(Long epochMillis) {
    return epochMillis == null ? null : FORMAT.format(Instant.ofEpochMilli(epochMillis));
  }
}
