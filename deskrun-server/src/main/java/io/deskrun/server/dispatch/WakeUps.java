package io.deskrun.server.dispatch;

import java.util.Collection;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Wakes the long-polls of desktops when work for them is stored. A poll registers before it reads
 * the database, so a command stored between the read and the wait still wakes it. With a {@link
 * Relay}, a wake-up also reaches the polls held by the other servers of the database.
 */
public final class WakeUps {
  private final ConcurrentHashMap<String, Set<CountDownLatch>> waiting = new ConcurrentHashMap<>();
  private volatile Relay relay = desktopIds -> {};

  /** Carries wake-ups to the other servers sharing the database. */
  @FunctionalInterface
  public interface Relay {
    /** Tells the other servers that these desktops have new work or stop requests. */
    void publish(Collection<String> desktopIds);
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
      Set<CountDownLatch> latches = waiting.get(desktopId);
      if (latches != null) {
        latches.forEach(CountDownLatch::countDown);
      }
    }
  }

  /** Wakes every open poll (on shutdown). */
  public void wakeAll() {
    waiting.values().forEach(latches -> latches.forEach(CountDownLatch::countDown));
  }

  /** Registers a poll of a desktop; close the returned waiter when the poll ends. */
  Waiter register(String desktopId) {
    CountDownLatch latch = new CountDownLatch(1);
    waiting.compute(
        desktopId,
        (id, latches) -> {
          Set<CountDownLatch> set = latches == null ? ConcurrentHashMap.newKeySet() : latches;
          set.add(latch);
          return set;
        });
    return new Waiter(desktopId, latch);
  }

  /** One registration; {@link #await} returns early when the desktop is woken. */
  final class Waiter implements AutoCloseable {
    private final String desktopId;
    private final CountDownLatch latch;

    private Waiter(String desktopId, CountDownLatch latch) {
      this.desktopId = desktopId;
      this.latch = latch;
    }

    /** Waits up to {@code millis}; returns true when woken. */
    boolean await(long millis) throws InterruptedException {
      return latch.await(millis, TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
      waiting.computeIfPresent(
          desktopId,
          (id, latches) -> {
            latches.remove(latch);
            return latches.isEmpty() ? null : latches;
          });
    }
  }
}
