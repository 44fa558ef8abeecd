package io.deskrun.server.storage;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

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
 */
public final class GroupCommit {
  /** Maximum writes in one transaction, which bounds how long its row locks are held. */
  static final int MAX_BATCH = 64;

  /** A write to run in a transaction that may be shared with other writes. */
  @FunctionalInterface
  public interface Write<T> {
    T apply(Handle handle);
  }

  private final Jdbi jdbi;
  private final ReentrantLock lock = new ReentrantLock();

  /** Writes waiting for a transaction; guarded by {@link #lock}. */
  private final ArrayDeque<Pending<?>> queue = new ArrayDeque<>();

  /** Whether a caller is running a transaction now; guarded by {@link #lock}. */
  private boolean running;

  public GroupCommit(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  /**
   * Runs {@code write} in a transaction, possibly shared, and returns its result once committed.
   */
  public <T> T run(Write<T> write) {
    Pending<T> pending = new Pending<>(write);
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
    try {
      jdbi.useTransaction(
          handle -> {
            for (Pending<?> pending : batch) {
              pending.apply(handle);
            }
          });
    } catch (RuntimeException shared) {
      if (batch.size() == 1) {
        batch.get(0).fail(shared);
        return;
      }
      for (Pending<?> pending : batch) {
        runAlone(pending);
      }
      return;
    }
    batch.forEach(Pending::succeed);
  }

  private void runAlone(Pending<?> pending) {
    try {
      jdbi.useTransaction(pending::apply);
      pending.succeed();
    } catch (RuntimeException e) {
      pending.fail(e);
    }
  }

  /** One caller's write and how it ended. */
  private static final class Pending<T> {
    private final Write<T> write;

    /** Completes with true when the caller must run the queue, false when its write is done. */
    private final CompletableFuture<Boolean> turn = new CompletableFuture<>();

    /** Set once the write has succeeded or failed, since the runner's own turn is already taken. */
    private final AtomicBoolean settled = new AtomicBoolean();

    private T value;
    private RuntimeException error;

    Pending(Write<T> write) {
      this.write = write;
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
