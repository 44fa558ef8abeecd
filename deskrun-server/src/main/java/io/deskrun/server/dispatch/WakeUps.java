package io.deskrun.server.dispatch;

import java.util.Collection;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Wakes the long-polls of desktops in this process when work for them is stored. A poll registers
 * before it reads the database, so a command stored between the read and the wait still wakes it.
 */
public final class WakeUps {
  private final ConcurrentHashMap<String, Set<CountDownLatch>> waiting = new ConcurrentHashMap<>();

  /** Wakes every poll open for these desktops. */
  public void wake(Collection<String> desktopIds) {
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
