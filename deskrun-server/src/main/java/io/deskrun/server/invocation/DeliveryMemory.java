package io.deskrun.server.invocation;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A server's record of the tasks waiting for each desktop, kept when the database is its own, so
 * that a poll skips the database read when it would find nothing.
 *
 * <p>On such a database only this server stores targets, so it handles every event that gives a
 * desktop something to hand out: a RunCommand that could not give its task to a waiting poll
 * ({@link #changed}), and a handed-out task whose start report has not come within the re-offer
 * delay ({@link #handedOut}, {@link #acknowledged}). A read that found nothing marks the desktop
 * empty unless one of those events came in meanwhile, which the version number shows. Everything
 * else (stops, the sweeper) only takes tasks away. Memory is empty at start, so the first poll of
 * each desktop reads the database, and a desktop is read again at least every {@link
 * #TRUST_MILLIS}.
 */
final class DeliveryMemory {
  /** How long a read that found nothing is trusted; {@link #nothingToHandOut} checks it. */
  static final long TRUST_MILLIS = 60_000;

  /** Past this many desktops, the memory starts over rather than growing. */
  static final int MAX_DESKTOPS = 500_000;

  private final Map<String, State> states = new ConcurrentHashMap<>();

  /** One desktop's state; guarded by its own monitor. */
  private static final class State {
    /** Incremented by every event that may give the desktop a task. */
    long version;

    /** Whether the last read found nothing and nothing came in since. */
    boolean empty;

    /** When that read began, in epoch milliseconds. */
    long readAt;

    /** Tasks handed out and not yet acknowledged, by invoke id, with the time of the hand-out. */
    final Map<String, Long> unacknowledged = new HashMap<>();
  }

  private State stateOf(String desktopId) {
    if (states.size() > MAX_DESKTOPS) {
      states.clear();
    }
    return states.computeIfAbsent(desktopId, id -> new State());
  }

  /** Returns the desktop's version, to pass to {@link #foundNothing} after the read. */
  long versionOf(String desktopId) {
    State state = stateOf(desktopId);
    synchronized (state) {
      return state.version;
    }
  }

  /** Records that a task for the desktop was stored without being handed out. */
  void changed(String desktopId) {
    State state = stateOf(desktopId);
    synchronized (state) {
      state.version++;
      state.empty = false;
    }
  }

  /** Records that a read found tasks, so the next poll reads again. */
  void foundTasks(String desktopId) {
    State state = stateOf(desktopId);
    synchronized (state) {
      state.empty = false;
    }
  }

  /** Records a task handed out now; until acknowledged it is due again after the re-offer delay. */
  void handedOut(String desktopId, String invokeId, long now) {
    State state = stateOf(desktopId);
    synchronized (state) {
      state.unacknowledged.put(invokeId, now);
    }
  }

  /** Records the agent's first report on a task, which ends its re-offers. */
  void acknowledged(String desktopId, String invokeId) {
    State state = states.get(desktopId);
    if (state == null) {
      return;
    }
    synchronized (state) {
      state.unacknowledged.remove(invokeId);
    }
  }

  /**
   * Tells whether a read of the desktop's tasks would find nothing: the last read found nothing,
   * nothing was stored since, and no handed-out task is due for a re-offer.
   */
  boolean nothingToHandOut(String desktopId, long now, long reofferAfterMillis) {
    State state = states.get(desktopId);
    if (state == null) {
      return false;
    }
    synchronized (state) {
      if (!state.empty || now - state.readAt >= TRUST_MILLIS) {
        return false;
      }
      for (long handedOutAt : state.unacknowledged.values()) {
        if (now - handedOutAt >= reofferAfterMillis) {
          return false;
        }
      }
      return true;
    }
  }

  /**
   * Records a read begun at {@code readAt} that found nothing to hand out. Tasks handed out before
   * {@code reofferBefore} would have been found again, so they are forgotten.
   */
  void foundNothing(String desktopId, long versionBefore, long readAt, long reofferBefore) {
    State state = stateOf(desktopId);
    synchronized (state) {
      state.unacknowledged.values().removeIf(handedOutAt -> handedOutAt <= reofferBefore);
      if (state.version == versionBefore) {
        state.empty = true;
        state.readAt = readAt;
      }
    }
  }
}
