package io.deskrun.server.account;

import java.time.InstantSource;
import java.util.HexFormat;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;

/**
 * Makes sure every server of a database uses the master key its AccessKey secrets were encrypted
 * with. The first server stores a check value derived from its key. A later server whose key
 * derives another value fails to start.
 */
public final class MasterKeyCheck {
  static final String FACT_NAME = "master-key-check";
  private static final String PURPOSE = "deskrun master key check";

  private MasterKeyCheck() {}

  /**
   * Stores the key's check value when the database has none yet, or compares it with the stored
   * one.
   *
   * @throws IllegalStateException when the key is not the database's
   */
  public static void verify(Jdbi jdbi, MasterKey masterKey, InstantSource clock) {
    String expected = HexFormat.of().formatHex(masterKey.derive(PURPOSE));
    try {
      verifyOnce(jdbi, masterKey, expected, clock);
    } catch (UnableToExecuteStatementException e) {
      // Two servers inserted the first value at once and this one lost, so read the winner's.
      verifyOnce(jdbi, masterKey, expected, clock);
    }
  }

  private static void verifyOnce(
      Jdbi jdbi, MasterKey masterKey, String expected, InstantSource clock) {
    jdbi.useTransaction(
        handle -> {
          Optional<String> stored = stored(handle);
          if (stored.isEmpty()) {
            checkExistingSecrets(handle, masterKey);
            // A server starting at the same moment may insert first, so read the value back.
            handle
                .createUpdate(
                    "INSERT INTO cluster_facts (fact_name, fact_value, created_at)"
                        + " SELECT :name, :value, :now WHERE NOT EXISTS"
                        + " (SELECT 1 FROM cluster_facts WHERE fact_name = :name)")
                .bind("name", FACT_NAME)
                .bind("value", expected)
                .bind("now", clock.millis())
                .execute();
            stored = stored(handle);
          }
          if (!stored.orElseThrow().equals(expected)) {
            throw mismatch();
          }
        });
  }

  private static Optional<String> stored(Handle handle) {
    return handle
        .createQuery("SELECT fact_value FROM cluster_facts WHERE fact_name = :name")
        .bind("name", FACT_NAME)
        .mapTo(String.class)
        .findOne();
  }

  /** A database from before the check value existed: its secrets must decrypt under this key. */
  private static void checkExistingSecrets(Handle handle, MasterKey masterKey) {
    SecretCipher cipher = new SecretCipher(masterKey);
    handle
        .createQuery(
            "SELECT access_key_id, secret_ciphertext FROM access_keys"
                + " ORDER BY created_at FETCH FIRST 1 ROWS ONLY")
        .map((rs, ctx) -> new String[] {rs.getString(1), rs.getString(2)})
        .findOne()
        .ifPresent(
            row -> {
              try {
                cipher.decrypt(row[0], row[1]);
              } catch (IllegalStateException e) {
                throw mismatch();
              }
            });
  }

  private static IllegalStateException mismatch() {
    return new IllegalStateException(
        "The master key of this server is not the key the database's AccessKey secrets were"
            + " encrypted with, so the server does not start. Give every server of the database"
            + " the same master-key setting (DESKRUN_MASTER_KEY), the one the first server used"
            + " or the content of its <data-dir>/master.key.");
  }
}
