package io.deskrun.server.storage;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs short writes of concurrent requests in shared transactions, so that a burst of writes costs
 * a few commits instead of one each. With H2 writing every commit to its file at once, a commit is
 * the largest cost of a write: 50 agents reporting together queued up behind 50 commits.
 *
 * <p>The first caller to arrive runs its write at once, alone. Callers that arrive meanwhile queue
 * up, and the next of them then runs the whole queue (up to {@value #MAX_BATCH} writes) in one
 * transaction. A caller returns once its write is committed. When a shared transaction fails, each
 * of its writes is run again in a transaction of its own, so one failing write fails only its own
 * caller.
 *
 * <p>A write must touch only the database through the given handle and must not commit or roll
 * back: it may run twice, and only the second run counts. It must not call {@link #run} itself,
 * which would wait for the transaction it is part of.
 *
 * <p>On H2 a write is made durable in one of three ways before its caller goes on: by a checkpoint
 * of H2's file ({@link #run}), by a record in the {@link WriteJournal} ({@link #runJournaled}, when
 * the journal is open), or not at all ({@link #runVolatile}, for writes the server can do without
 * after a crash). A batch waits for a checkpoint when any of its writes needs one.
 */
public final class GroupCommit {
  /** Maximum writes in one transaction, which bounds how long its row locks are held. */
  static final int MAX_BATCH = 64;

  /** A write to run in a transaction that may be shared with other writes. */
  @FunctionalInterface
  public interface Write<T> {
    T apply(Handle handle);
  }

  private static final Logger LOG = LoggerFactory.getLogger(GroupCommit.class);

  private final Jdbi jdbi;
  private final Durability durability;
  private final ReentrantLock lock = new ReentrantLock();

  /** Writes waiting for a transaction; guarded by {@link #lock}. */
  private final ArrayDeque<Pending<?>> queue = new ArrayDeque<>();

  /** Whether a caller is running a transaction now; guarded by {@link #lock}. */
  private boolean running;

  public GroupCommit(Jdbi jdbi) {
    this.jdbi = jdbi;
    this.durability = jdbi.getConfig(Durability.class);
  }

  /**
   * Runs {@code write} in a transaction, possibly shared, and returns its result once committed
   * and, on H2, written to H2's file.
   */
  public <T> T run(Write<T> write) {
    return submit(new Pending<>(write, null, true));
  }

  /**
   * Runs the write of a journaled kind in a transaction, possibly shared, and returns the rows it
   * changed once committed and recorded in the journal (on H2 without an open journal: written to
   * H2's file).
   */
  public <R> int runJournaled(WriteJournal.Kind<R> kind, R record) {
    return submit(
        new Pending<>(
            handle -> kind.live().apply(handle, record),
            new WriteJournal.Entry<>(kind, record),
            true));
  }

  /**
   * Runs {@code write} in a transaction, possibly shared, and returns its result once committed. On
   * H2 it reaches H2's file within about 5 s; a killed server may lose it.
   */
  public <T> T runVolatile(Write<T> write) {
    return submit(new Pending<>(write, null, false));
  }

  private <T> T submit(Pending<T> pending) {
    boolean first;
    lock.lock();
    try {
      queue.add(pending);
      first = !running;
      running = true;
    } finally {
      lock.unlock();
    }

    if (first || pending.awaitTurn()) {
      runQueued();
    }
    return pending.result();
  }

  /** Runs the queued writes in one transaction, then hands the next turn to a waiting caller. */
  private void runQueued() {
    List<Pending<?>> batch = new ArrayList<>();
    lock.lock();
    try {
      while (!queue.isEmpty() && batch.size() < MAX_BATCH) {
        batch.add(queue.poll());
      }
    } finally {
      lock.unlock();
    }

    try {
      execute(batch);
    } catch (Error e) {
      // A JVM error must not leave the callers of the batch waiting forever.
      IllegalStateException failure = new IllegalStateException("The shared write failed", e);
      batch.forEach(pending -> pending.fail(failure));
      throw e;
    } finally {
      passTurn();
    }
  }

  private void passTurn() {
    lock.lock();
    try {
      Pending<?> next = queue.peek();
      if (next == null) {
        running = false;
      } else {
        next.takeTurn();
      }
    } finally {
      lock.unlock();
    }
  }

  private void execute(List<Pending<?>> batch) {
    WriteJournal journal = durability.openJournal();
    boolean skipCheckpoint = journal != null && batch.stream().noneMatch(Pending::needsCheckpoint);
    try {
      commit(batch, skipCheckpoint);
    } catch (RuntimeException shared) {
      if (batch.size() == 1) {
        batch.get(0).fail(shared);
        return;
      }
      for (Pending<?> pending : batch) {
        runAlone(pending, journal);
      }
      return;
    }
    settle(batch, skipCheckpoint ? journal : null);
  }

  private void runAlone(Pending<?> pending, WriteJournal journal) {
    boolean skipCheckpoint = journal != null && !pending.needsCheckpoint();
    try {
      commit(List.of(pending), skipCheckpoint);
    } catch (RuntimeException e) {
      pending.fail(e);
      return;
    }
    settle(List.of(pending), skipCheckpoint ? journal : null);
  }

  /**
   * Runs the writes in one transaction. Unless {@code skipCheckpoint} is set, a checkpoint follows
   * on H2 when the handle closes (see {@link H2Flush}).
   */
  private void commit(List<Pending<?>> writes, boolean skipCheckpoint) {
    jdbi.useTransaction(
        handle -> {
          for (Pending<?> pending : writes) {
            pending.apply(handle);
          }
          if (skipCheckpoint) {
            durability.flush().release(handle);
          }
        });
  }

  /**
   * Records the committed writes in the journal, when they skipped the checkpoint, then lets their
   * callers go on. Must run before the next batch commits, so that records follow commits in order.
   */
  private void settle(List<Pending<?>> committed, WriteJournal journal) {
    if (journal != null) {
      try {
        recordOrCheckpoint(committed, journal);
      } catch (RuntimeException e) {
        committed.forEach(pending -> pending.fail(e));
        return;
      }
    }
    committed.forEach(Pending::succeed);
  }

  private void recordOrCheckpoint(List<Pending<?>> committed, WriteJournal journal) {
    List<WriteJournal.Entry<?>> entries = new ArrayList<>();
    for (Pending<?> pending : committed) {
      if (pending.entry != null) {
        entries.add(pending.entry);
      }
    }
    if (entries.isEmpty()) {
      return;
    }
    try {
      journal.append(entries);
    } catch (IOException | RuntimeException e) {
      LOG.warn(
          "Failed to record {} writes in the write journal; writing H2's file instead: {}",
          entries.size(),
          e.toString());
      durability.flush().awaitWritten();
    }
  }

  /** One caller's write and how it ended. */
  private static final class Pending<T> {
    private final Write<T> write;

    /** The journal record of the write, or null. */
    private final WriteJournal.Entry<?> entry;

    /** Whether the write is durable only once H2's file contains it (no record, not volatile). */
    private final boolean durable;

    /** Completes with true when the caller must run the queue, false when its write is done. */
    private final CompletableFuture<Boolean> turn = new CompletableFuture<>();

    /** Set once the write has succeeded or failed, since the runner's own turn is already taken. */
    private final AtomicBoolean settled = new AtomicBoolean();

    private T value;
    private RuntimeException error;

    Pending(Write<T> write, WriteJournal.Entry<?> entry, boolean durable) {
      this.write = write;
      this.entry = entry;
      this.durable = durable;
    }

    boolean needsCheckpoint() {
      return durable && entry == null;
    }

    void apply(Handle handle) {
      value = write.apply(handle);
    }

    /** Waits until the write is done or the caller must run the queue; true for the latter. */
    boolean awaitTurn() {
      return turn.join();
    }

    void takeTurn() {
      turn.complete(true);
    }

    void succeed() {
      if (settled.compareAndSet(false, true)) {
        turn.complete(false);
      }
    }

    void fail(RuntimeException e) {
      if (settled.compareAndSet(false, true)) {
        error = e;
        turn.complete(false);
      }
    }

    T result() {
      if (error != null) {
        throw error;
      }
      return value;
    }
  }
}
