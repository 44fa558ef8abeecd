package io.deskrun.server.storage;

/** The SQL differences between the supported databases, chosen from the JDBC URL. */
public enum Dialect {
  H2,
  POSTGRESQL;

  /** Returns the dialect of a JDBC URL; rejects a database deskrun does not support. */
  public static Dialect of(String jdbcUrl) {
    if (jdbcUrl.startsWith("jdbc:h2:")) {
      return H2;
    }
    if (jdbcUrl.startsWith("jdbc:postgresql:")) {
      return POSTGRESQL;
    }
    throw new IllegalArgumentException(
        "The database URL must start with jdbc:h2: or jdbc:postgresql:, got a URL starting with \""
            + jdbcUrl.substring(0, Math.min(jdbcUrl.length(), 16))
            + "\".");
  }

  /**
   * Returns the clause that locks the selected rows of {@code alias} and skips rows another
   * transaction holds, so servers claiming work never wait for each other. H2 has no such clause
   * there, so its claims rely on the conditional UPDATE that follows.
   */
  public String lockSkippingLocked(String alias) {
    return this == POSTGRESQL ? " FOR UPDATE OF " + alias + " SKIP LOCKED" : "";
  }

  /** Returns the folder under {@code db/vendor} with the migrations for this database only. */
  String vendorFolder() {
    return this == POSTGRESQL ? "postgresql" : "h2";
  }

  /** Tells whether several servers can share the database (and so must notify each other). */
  public boolean isShared() {
    return this == POSTGRESQL;
  }
}
