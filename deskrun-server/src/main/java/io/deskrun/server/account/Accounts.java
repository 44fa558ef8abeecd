package io.deskrun.server.account;

import io.deskrun.server.gateway.AccessKey;
import io.deskrun.server.gateway.AccessKeyResolver;
import io.deskrun.server.support.Ids;
import java.sql.SQLException;
import java.time.InstantSource;
import java.util.Optional;
import java.util.function.Consumer;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;

/** Accounts and their AccessKeys; resolves AccessKey ids for the gateway. */
public final class Accounts implements AccessKeyResolver {
  /** Id of the account created on the first start. */
  public static final String DEFAULT_ACCOUNT_ID = "default";

  private final Jdbi jdbi;
  private final SecretCipher cipher;
  private final InstantSource clock;
  private final AccessKeyCache cache;

  public Accounts(Jdbi jdbi, MasterKey masterKey, InstantSource clock) {
    this.jdbi = jdbi;
    this.cipher = new SecretCipher(masterKey);
    this.clock = clock;
    this.cache = new AccessKeyCache(clock);
  }

  /** A newly created AccessKey, with its secret in plain text; shown once, then only stored. */
  public record NewAccessKey(String accountId, String accessKeyId, String accessKeySecret) {}

  /**
   * Creates the default account and its first AccessKey when the database has no account yet.
   * Returns the new key, or empty when accounts already existed.
   */
  public Optional<NewAccessKey> bootstrapIfEmpty() {
    return bootstrapIfEmpty(key -> {});
  }

  /**
   * Like {@link #bootstrapIfEmpty()}, and calls {@code beforeCommit} with the new key inside the
   * transaction. When it throws, nothing is stored, so a key whose secret could not be handed out
   * (for example because its file could not be written) is not left behind.
   */
  public Optional<NewAccessKey> bootstrapIfEmpty(Consumer<NewAccessKey> beforeCommit) {
    try {
      return jdbi.inTransaction(
          handle -> {
            int accounts =
                handle.createQuery("SELECT COUNT(*) FROM accounts").mapTo(int.class).one();
            if (accounts > 0) {
              return Optional.empty();
            }
            NewAccessKey key = insertAccount(handle, DEFAULT_ACCOUNT_ID);
            beforeCommit.accept(key);
            return Optional.of(key);
          });
    } catch (UnableToExecuteStatementException e) {
      // Servers starting together on one empty shared database both find no account; the one
      // whose insert loses on the primary key leaves the bootstrap to the other.
      if (isUniqueViolation(e)) {
        return Optional.empty();
      }
      throw e;
    }
  }

  private static boolean isUniqueViolation(Throwable error) {
    for (Throwable cause = error; cause != null; cause = cause.getCause()) {
      // SQLSTATE class 23 is an integrity constraint violation in both H2 and PostgreSQL.
      if (cause instanceof SQLException sql
          && sql.getSQLState() != null
          && sql.getSQLState().startsWith("23")) {
        return true;
      }
    }
    return false;
  }

  /** Creates an account with one active AccessKey. */
  public NewAccessKey createAccount(String accountId) {
    return jdbi.inTransaction(handle -> insertAccount(handle, accountId));
  }

  /** Creates another AccessKey with full permissions for an existing account. */
  public NewAccessKey createAccessKey(String accountId) {
    return createAccessKey(accountId, false);
  }

  /**
   * Creates another AccessKey for an existing account; a read-only key may call only the {@code
   * Describe*} actions and gets {@code 403 Forbidden} for the others.
   */
  public NewAccessKey createAccessKey(String accountId, boolean readOnly) {
    return jdbi.inTransaction(handle -> insertAccessKey(handle, accountId, readOnly));
  }

  /** Enables or disables an AccessKey; a disabled key fails every request. */
  public void setActive(String accessKeyId, boolean active) {
    jdbi.useHandle(
        handle ->
            handle
                .createUpdate("UPDATE access_keys SET active = :active WHERE access_key_id = :id")
                .bind("active", active)
                .bind("id", accessKeyId)
                .execute());
    cache.invalidate(accessKeyId);
  }

  /**
   * Returns the AccessKey, read from the database at most {@link AccessKeyCache#TIME_TO_LIVE} ago
   * unless this server changed it since.
   */
  @Override
  public Optional<AccessKey> find(String accessKeyId) {
    return cache.get(accessKeyId, this::read);
  }

  private Optional<AccessKey> read(String accessKeyId) {
    return jdbi.withHandle(
        handle ->
            handle
                .createQuery(
                    "SELECT account_id, secret_ciphertext, active, read_only FROM access_keys"
                        + " WHERE access_key_id = :id")
                .bind("id", accessKeyId)
                .map(
                    (rs, ctx) ->
                        new AccessKey(
                            accessKeyId,
                            rs.getString("account_id"),
                            cipher.decrypt(accessKeyId, rs.getString("secret_ciphertext")),
                            rs.getBoolean("active"),
                            rs.getBoolean("read_only")))
                .findOne());
  }

  private NewAccessKey insertAccount(Handle handle, String accountId) {
    handle
        .createUpdate("INSERT INTO accounts (account_id, created_at) VALUES (:id, :now)")
        .bind("id", accountId)
        .bind("now", clock.millis())
        .execute();
    return insertAccessKey(handle, accountId, false);
  }

  private NewAccessKey insertAccessKey(Handle handle, String accountId, boolean readOnly) {
    String id = Ids.accessKeyId();
    String secret = Ids.accessKeySecret();
    handle
        .createUpdate(
            "INSERT INTO access_keys (access_key_id, account_id, secret_ciphertext, active,"
                + " read_only, created_at) VALUES (:id, :account, :secret, TRUE, :readOnly, :now)")
        .bind("id", id)
        .bind("account", accountId)
        .bind("secret", cipher.encrypt(id, secret))
        .bind("readOnly", readOnly)
        .bind("now", clock.millis())
        .execute();
    return new NewAccessKey(accountId, id, secret);
  }
}
