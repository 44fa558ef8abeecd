package io.deskrun.server.account;

import io.deskrun.server.gateway.NonceRegistry;
import io.deskrun.server.storage.GroupCommit;
import io.deskrun.server.storage.WriteJournal;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.PreparedBatch;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Signature nonces in the database, so that a replay is rejected after a restart and, on a shared
 * database, by every server. The primary key (access key id, nonce) decides races; expired rows are
 * reused here and purged by the sweeper.
 *
 * <p>Two ways of writing: {@link #immediate} inserts each nonce before the request goes on, which a
 * database shared by several servers needs so that a replay sent to another server is seen at once.
 * {@link #writeBehind} keeps new nonces in memory and writes them in one transaction every {@code
 * flushInterval}: a single server checks both the database and its memory, so it still rejects
 * every replay, and each request saves a commit. On the embedded database a commit rewrites pages
 * on disk, and it was the largest single cost of an API call in the benchmark's profile.
 */
public final class DatabaseNonceRegistry implements NonceRegistry, AutoCloseable {
  /** SQLSTATE of a unique-key violation, the same in H2 and PostgreSQL. */
  private static final String UNIQUE_VIOLATION = "23505";

  private static final Logger LOG = LoggerFactory.getLogger(DatabaseNonceRegistry.class);

  private final Jdbi jdbi;
  private final InstantSource clock;
  private final GroupCommit writes;

  /** Nonces accepted but not yet written, with their expiry in epoch ms; null when immediate. */
  private final Map<StoredNonce, Long> unwritten;

  private final ScheduledExecutorService writer;

  /** Held for writing while written nonces leave memory; see {@link #register}. */
  private final ReadWriteLock moving = new ReentrantReadWriteLock();

  private record StoredNonce(String accessKeyId, String nonce) {}

  /** One nonce as journaled, with its expiry in epoch ms. */
  record NonceRow(String accessKeyId, String nonce, long expiresAt) {}

  /** The nonces of one write-behind, as journaled. */
  record NonceBatch(List<NonceRow> rows) {}

  /**
   * The nonces written behind, recorded in the write journal on H2 so that the write does not wait
   * for H2's file. Applying it twice changes nothing.
   */
  public static final WriteJournal.Kind<NonceBatch> WRITTEN_BEHIND =
      WriteJournal.Kind.idempotent(
          "nonces-written-behind", NonceBatch.class, DatabaseNonceRegistry::mergeAll);

  private static int mergeAll(Handle handle, NonceBatch batch) {
    PreparedBatch merge =
        handle.prepareBatch(
            "MERGE INTO nonces (access_key_id, nonce, expires_at)"
                + " KEY (access_key_id, nonce) VALUES (:key, :nonce, :expires)");
    for (NonceRow row : batch.rows()) {
      merge
          .bind("key", row.accessKeyId())
          .bind("nonce", row.nonce())
          .bind("expires", row.expiresAt())
          .add();
    }
    return merge.execute().length;
  }

  private DatabaseNonceRegistry(Jdbi jdbi, InstantSource clock, Duration flushInterval) {
    this.jdbi = jdbi;
    this.clock = clock;
    this.writes = new GroupCommit(jdbi);
    if (flushInterval == null) {
      this.unwritten = null;
      this.writer = null;
      return;
    }
    this.unwritten = new ConcurrentHashMap<>();
    this.writer =
        Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("nonce-writer").daemon().factory());
    long millis = flushInterval.toMillis();
    writer.scheduleWithFixedDelay(this::flushQuietly, millis, millis, TimeUnit.MILLISECONDS);
  }

  /** Writes each nonce before {@link #register} returns; for a database shared by servers. */
  public static DatabaseNonceRegistry immediate(Jdbi jdbi, InstantSource clock) {
    return new DatabaseNonceRegistry(jdbi, clock, null);
  }

  /**
   * Writes new nonces every {@code flushInterval} and on {@link #close}; for a database only this
   * server uses.
   *
   * <p>NOTE: a process killed with SIGKILL loses the nonces of its last {@code flushInterval}; a
   * request captured in that moment could be replayed once after the restart, within its 15-minute
   * window.
   */
  public static DatabaseNonceRegistry writeBehind(
      Jdbi jdbi, InstantSource clock, Duration flushInterval) {
    if (flushInterval.isNegative() || flushInterval.isZero()) {
      throw new IllegalArgumentException(
          "The nonce flush interval must be positive, got " + flushInterval);
    }
    return new DatabaseNonceRegistry(jdbi, clock, flushInterval);
  }

  @Override
  public boolean register(String accessKeyId, String nonce, Instant expiresAt) {
    if (unwritten == null) {
      return registerNow(accessKeyId, nonce, expiresAt);
    }
    // Under the read lock, so that no nonce moves from memory to the database between the two
    // checks: a replay is then always found in one of them.
    StoredNonce key = new StoredNonce(accessKeyId, nonce);
    long now = clock.millis();
    moving.readLock().lock();
    try {
      Optional<Long> stored = storedExpiry(key);
      if (stored.isPresent() && stored.get() > now) {
        return false;
      }
      boolean[] accepted = {false};
      unwritten.compute(
          key,
          (unused, earlier) -> {
            if (earlier != null && earlier > now) {
              return earlier;
            }
            accepted[0] = true;
            return expiresAt.toEpochMilli();
          });
      return accepted[0];
    } finally {
      moving.readLock().unlock();
    }
  }

  /**
   * Writes the nonces accepted since the last write. Runs on the writer thread, and from {@link
   * #close}; tests call it to reach the state a restart would see.
   */
  public synchronized void flush() {
    if (unwritten == null || unwritten.isEmpty()) {
      return;
    }
    Map<StoredNonce, Long> batch = Map.copyOf(unwritten);
    List<NonceRow> rows = new ArrayList<>(batch.size());
    batch.forEach(
        (stored, expires) -> rows.add(new NonceRow(stored.accessKeyId(), stored.nonce(), expires)));
    writes.runJournaled(WRITTEN_BEHIND, new NonceBatch(rows));
    moving.writeLock().lock();
    try {
      batch.forEach(unwritten::remove);
    } finally {
      moving.writeLock().unlock();
    }
  }

  /** Stops the writer and writes what is left; call before the database closes. */
  @Override
  public void close() {
    if (writer == null) {
      return;
    }
    writer.shutdown();
    try {
      if (!writer.awaitTermination(10, TimeUnit.SECONDS)) {
        LOG.warn("The nonce writer did not stop within 10 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    flush();
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

  private void flushQuietly() {
    try {
      flush();
    } catch (RuntimeException e) {
      // The nonces stay in memory, where they still stop replays, and the next run retries.
      LOG.warn("Failed to write {} signature nonces; retrying", unwritten.size(), e);
    }
  }

  private Optional<Long> storedExpiry(StoredNonce key) {
    return jdbi.withHandle(
        handle ->
            handle
                .createQuery(
                    "SELECT expires_at FROM nonces WHERE access_key_id = :key AND nonce = :nonce")
                .bind("key", key.accessKeyId())
                .bind("nonce", key.nonce())
                .mapTo(Long.class)
                .findOne());
  }

  private boolean registerNow(String accessKeyId, String nonce, Instant expiresAt) {
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
