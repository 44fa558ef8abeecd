package io.deskrun.server.dispatch;

import io.deskrun.protocol.Task;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Wakes the long-polls of desktops when work for them is stored. A poll registers before it reads
 * the database, so a command stored between the read and the wait still wakes it. With a {@link
 * Relay}, a wake-up also reaches the polls held by the other servers of the database.
 *
 * <p>A poll that is waiting here can also be reserved by RunCommand, which then stores the target
 * as already delivered and hands the task to the poll directly. That saves the poll a transaction
 * to find and mark the task.
 */
public final class WakeUps {
  /**
   * How long a reserved poll waits for the task of its reservation. A RunCommand transaction takes
   * milliseconds, and a task that never arrives is offered again by a later poll.
   */
  static final long HANDOFF_LIMIT_MILLIS = 10_000;

  private final ConcurrentHashMap<String, Set<Waiter>> waiting = new ConcurrentHashMap<>();
  private volatile Relay relay = desktopIds -> {};

  /** Carries wake-ups to the other servers sharing the database. */
  @FunctionalInterface
  public interface Relay {
    /** Tells the other servers that these desktops have new work or stop requests. */
    void publish(Collection<String> desktopIds);
  }

  /** A poll taken by {@link #reserve}: exactly one of its methods must be called, once. */
  public interface Reservation {
    /** Gives the tasks to the poll, which returns them to its agent. */
    void deliver(List<Task> tasks);

    /** Gives the poll back without tasks; it reads the database again. */
    void release();
  }

  /** Sets the relay to the other servers; by default wake-ups stay in this process. */
  public void relayTo(Relay relay) {
    this.relay = relay;
  }

  /** Wakes every poll open for these desktops, here and on the other servers. */
  public void wake(Collection<String> desktopIds) {
    wakeLocal(desktopIds);
    if (!desktopIds.isEmpty()) {
      relay.publish(desktopIds);
    }
  }

  /** Wakes the polls open in this process for these desktops. */
  public void wakeLocal(Collection<String> desktopIds) {
    for (String desktopId : desktopIds) {
      Set<Waiter> waiters = waiting.get(desktopId);
      if (waiters != null) {
        waiters.forEach(Waiter::wake);
      }
    }
  }

  /** Wakes every open poll (on shutdown). */
  public void wakeAll() {
    waiting.values().forEach(waiters -> waiters.forEach(Waiter::wake));
  }

  /**
   * Takes a poll of the desktop that waits in this process and has a free slot, so that the caller
   * can hand it a task. Returns empty when there is no such poll.
   */
  public Optional<Reservation> reserve(String desktopId) {
    Set<Waiter> waiters = waiting.get(desktopId);
    if (waiters == null) {
      return Optional.empty();
    }
    for (Waiter waiter : waiters) {
      if (waiter.tryReserve()) {
        return Optional.of(waiter);
      }
    }
    return Optional.empty();
  }

  /** Registers a poll of a desktop that takes no handed-out tasks. */
  Waiter register(String desktopId) {
    return register(desktopId, 0);
  }

  /**
   * Registers a poll of a desktop; with {@code freeSlots} above zero, RunCommand may hand it a
   * task. Close the returned waiter when the poll ends.
   */
  Waiter register(String desktopId, int freeSlots) {
    Waiter waiter = new Waiter(desktopId, freeSlots);
    waiting.compute(
        desktopId,
        (id, waiters) -> {
          Set<Waiter> set = waiters == null ? ConcurrentHashMap.newKeySet() : waiters;
          set.add(waiter);
          return set;
        });
    return waiter;
  }

  /**
   * One registration. {@link #await} returns early when the desktop is woken or a task is handed to
   * it; {@link #handedOut} then gives the task.
   */
  final class Waiter implements AutoCloseable, Reservation {
    private static final int CHECKING = 0;
    private static final int WAITING = 1;
    private static final int RESERVED = 2;
    private static final int DONE = 3;

    private final String desktopId;
    private final int freeSlots;
    private final CountDownLatch woken = new CountDownLatch(1);
    private final CountDownLatch settled = new CountDownLatch(1);
    private final AtomicInteger state = new AtomicInteger(CHECKING);
    private volatile List<Task> tasks = List.of();

    private Waiter(String desktopId, int freeSlots) {
      this.desktopId = desktopId;
      this.freeSlots = freeSlots;
    }

    /**
     * Waits up to {@code millis}; returns true when woken or handed a task. A poll reserved while
     * it waited waits on until the reservation is settled (at most {@value #HANDOFF_LIMIT_MILLIS}
     * ms), so that it returns the task it was handed.
     */
    boolean await(long millis) throws InterruptedException {
      state.compareAndSet(CHECKING, WAITING);
      boolean wasWoken = woken.await(millis, TimeUnit.MILLISECONDS);
      if (state.compareAndSet(WAITING, DONE) || state.get() == DONE) {
        return wasWoken;
      }
      settled.await(HANDOFF_LIMIT_MILLIS, TimeUnit.MILLISECONDS);
      return true;
    }

    /** Returns the tasks handed to this poll, or an empty list. */
    List<Task> handedOut() {
      return tasks;
    }

    private boolean tryReserve() {
      return freeSlots > 0 && state.compareAndSet(WAITING, RESERVED);
    }

    private void wake() {
      woken.countDown();
    }

    @Override
    public void deliver(List<Task> handed) {
      tasks = List.copyOf(handed);
      settle();
    }

    @Override
    public void release() {
      settle();
    }

    private void settle() {
      state.set(DONE);
      settled.countDown();
      woken.countDown();
    }

    @Override
    public void close() {
      waiting.computeIfPresent(
          desktopId,
          (id, waiters) -> {
            waiters.remove(this);
            return waiters.isEmpty() ? null : waiters;
          });
    }
  }
}
