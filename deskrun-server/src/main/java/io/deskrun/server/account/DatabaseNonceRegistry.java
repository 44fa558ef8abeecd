package io.deskrun.server.account;

import io.deskrun.server.gateway.NonceRegistry;
import java.sql.SQLException;
import java.time.Instant;
import java.time.InstantSource;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;

/**
 * Signature nonces in the database, so that every server sharing it rejects a replay. The primary
 * key (access key id, nonce) decides races; expired rows are reused here and purged by the sweeper.
 */
public final class DatabaseNonceRegistry implements NonceRegistry {
  /** SQLSTATE of a unique-key violation, the same in H2 and PostgreSQL. */
  private static final String UNIQUE_VIOLATION = "23505";

  private final Jdbi jdbi;
  private final InstantSource clock;

  public DatabaseNonceRegistry(Jdbi jdbi, InstantSource clock) {
    this.jdbi = jdbi;
    this.clock = clock;
  }

  @Override
  public boolean register(String accessKeyId, String nonce, Instant expiresAt) {
    try {
      insert(accessKeyId, nonce, expiresAt);
      return true;
    } catch (UnableToExecuteStatementException e) {
      if (!isUniqueViolation(e)) {
        throw e;
      }
      return reuseExpired(accessKeyId, nonce, expiresAt);
    }
  }

  /** Deletes nonces whose replay window has ended; returns how many. */
  public int purgeExpired() {
    return jdbi.withHandle(
        handle ->
            handle
                .createUpdate("DELETE FROM nonces WHERE expires_at <= :now")
                .bind("now", clock.millis())
                .execute());
  }

  private void insert(String accessKeyId, String nonce, Instant expiresAt) {
    jdbi.useHandle(
        handle ->
            handle
                .createUpdate(
                    "INSERT INTO nonces (access_key_id, nonce, expires_at)"
                        + " VALUES (:key, :nonce, :expires)")
                .bind("key", accessKeyId)
                .bind("nonce", nonce)
                .bind("expires", expiresAt.toEpochMilli())
                .execute());
  }

  private boolean reuseExpired(String accessKeyId, String nonce, Instant expiresAt) {
    int updated =
        jdbi.withHandle(
            handle ->
                handle
                    .createUpdate(
                        "UPDATE nonces SET expires_at = :expires WHERE access_key_id = :key"
                            + " AND nonce = :nonce AND expires_at <= :now")
                    .bind("key", accessKeyId)
                    .bind("nonce", nonce)
                    .bind("expires", expiresAt.toEpochMilli())
                    .bind("now", clock.millis())
                    .execute());
    return updated == 1;
  }

  private static boolean isUniqueViolation(UnableToExecuteStatementException e) {
    return e.getCause() instanceof SQLException sql && UNIQUE_VIOLATION.equals(sql.getSQLState());
  }
}
