package io.deskrun.server.support;

import io.deskrun.server.gateway.ApiException;

/** Keyset paging over rows ordered newest first by (created_at, id). */
public final class Paging {
  /** Rows strictly after the position in that order; {@code %s} is the id column. */
  public static final String BEFORE_CONDITION =
      "(created_at < :afterCreated OR (created_at = :afterCreated AND %s < :afterId))";

  private Paging() {}

  /** The last row of a page: its creation time (epoch milliseconds) and id. */
  public record Position(long createdAt, String id) {
    public String format() {
      return createdAt + ":" + id;
    }

    public static Position parse(String text) {
      int colon = text.indexOf(':');
      try {
        return new Position(Long.parseLong(text.substring(0, colon)), text.substring(colon + 1));
      } catch (RuntimeException e) {
        // Only reachable with a forged token that still carries a valid MAC.
        throw ApiException.invalidParameter("NextToken", "NextToken is malformed.");
      }
    }
  }
}
