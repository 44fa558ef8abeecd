package io.deskrun.server.storage;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.HandleListener;
import org.jdbi.v3.core.statement.StatementContext;
import org.jdbi.v3.core.statement.StatementCustomizer;

/**
 * Writes H2's committed changes to its file before a writer goes on, once for all writers waiting
 * at the time.
 *
 * <p>H2 keeps commits in memory, and its background thread writes them to the file every 500 ms by
 * default. A killed server could then lose a RunCommand it had already returned. With {@code
 * WRITE_DELAY=0} H2 writes each commit at once, but then the background thread, which also frees
 * the file space of old versions, does not run. Measured with the server's schema and statements,
 * 180 RunCommand inserts and report updates a second from 4 threads: the file grew by 5.5 MB a
 * second for the whole 150 s measured. With this class, under the same load, it grew by less than 1
 * MB a second after four minutes.
 *
 * <p>So the server keeps the background thread and writes the changes itself. When a Jdbi handle
 * that ran a write closes, its caller waits for a {@code CHECKPOINT} that began after its commit.
 * Writers that arrive while a checkpoint runs share the next one. The frequent writes skip it:
 * {@link GroupCommit} records them in the {@link WriteJournal} instead. Used only on H2, because a
 * PostgreSQL commit is durable by itself.
 *
 * <p>NOTE: a checkpoint writes to the file without syncing it, so the writes survive a killed
 * process but not necessarily an OS crash. Each checkpoint also writes the changed pages to new
 * space, and H2's background writer reuses old space only at times. At one command a second the
 * file reached 12.9 MB after 25 minutes, with stretches of no growth, and 0.9 MB after a clean
 * stop. A long-running busy server may need H2's online compaction.
 */
final class H2Flush implements HandleListener, StatementCustomizer, AutoCloseable {
  private final Connection connection;

  /** Connections of open handles that ran a statement other than a query. */
  private final Set<Connection> writers = ConcurrentHashMap.newKeySet();

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition finished = lock.newCondition();

  /** Number of checkpoints begun, guarded by {@link #lock}. */
  private long begun;

  /** Number of the newest checkpoint that ended, guarded by {@link #lock}. */
  private long ended;

  /** Whether a checkpoint is running now, guarded by {@link #lock}. */
  private boolean running;

  /** Creates the flush over a connection of its own, which {@link #close} closes. */
  H2Flush(Connection connection) {
    this.connection = connection;
  }

  @Override
  public void afterExecution(PreparedStatement statement, StatementContext context) {
    if (isWrite(context.getRawSql())) {
      writers.add(context.getConnection());
    }
  }

  @Override
  public void handleClosed(Handle handle) {
    if (writers.remove(handle.getConnection())) {
      awaitWritten();
    }
  }

  /**
   * Lets the handle close without waiting for a checkpoint, for writes that are made durable
   * another way ({@link WriteJournal}) or that may be lost. Call it after the handle's last write.
   */
  void release(Handle handle) {
    writers.remove(handle.getConnection());
  }

  /**
   * Tells whether {@code sql} may write. Anything but a query counts, so that no write is missed.
   */
  static boolean isWrite(String sql) {
    String start = sql.stripLeading();
    return !start.regionMatches(true, 0, "SELECT", 0, 6)
        && !start.regionMatches(true, 0, "VALUES", 0, 6);
  }

  /** Returns once a checkpoint that began after this call has ended. */
  void awaitWritten() {
    lock.lock();
    try {
      long needed = begun + 1;
      while (ended < needed) {
        if (running) {
          finished.awaitUninterruptibly();
        } else {
          checkpoint();
        }
      }
    } finally {
      lock.unlock();
    }
  }

  /** Runs one checkpoint without holding the lock. After a failure the next waiter tries again. */
  private void checkpoint() {
    running = true;
    long generation = ++begun;
    boolean written = false;
    lock.unlock();
    try {
      execute();
      written = true;
    } finally {
      lock.lock();
      running = false;
      if (written) {
        ended = generation;
      }
      finished.signalAll();
    }
  }

  private void execute() {
    try (Statement statement = connection.createStatement()) {
      statement.execute("CHECKPOINT");
    } catch (SQLException e) {
      throw new IllegalStateException(
          "Failed to write the committed changes to the H2 file (CHECKPOINT): " + e.getMessage(),
          e);
    }
  }

  @Override
  public void close() throws SQLException {
    connection.close();
  }
}
