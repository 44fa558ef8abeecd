package io.deskrun.server.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import io.deskrun.protocol.ScriptType;
import io.deskrun.protocol.Task;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Wake-ups and task hand-offs between RunCommand and waiting polls, in one process. */
class WakeUpsTest {
  private static final Task TASK = new Task("t-handed", ScriptType.RunShellScript, "echo hi", 60);

  private final WakeUps wakeUps = new WakeUps();

  /** Awaits in a virtual thread; the future holds true when woken, false on timeout. */
  private static CompletableFuture<Boolean> awaitAsync(WakeUps.Waiter waiter, long millis) {
    CompletableFuture<Boolean> result = new CompletableFuture<>();
    Thread.ofVirtual()
        .start(
            () -> {
              try {
                result.complete(waiter.await(millis));
              } catch (InterruptedException e) {
                result.completeExceptionally(e);
              }
            });
    return result;
  }

  /** Tries to reserve until the waiter has begun to wait, for up to 5 s. */
  private Optional<WakeUps.Reservation> reserveOnceWaiting(String desktopId)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (System.nanoTime() < deadline) {
      Optional<WakeUps.Reservation> reservation = wakeUps.reserve(desktopId);
      if (reservation.isPresent()) {
        return reservation;
      }
      Thread.sleep(1);
    }
    return Optional.empty();
  }

  @Test
  void reserve_waitingPoll_handsOverTasks() throws Exception {
    try (WakeUps.Waiter waiter = wakeUps.register("ecd-a", 1)) {
      CompletableFuture<Boolean> woken = awaitAsync(waiter, 10_000);

      Optional<WakeUps.Reservation> reservation = reserveOnceWaiting("ecd-a");
      assertThat(reservation).isPresent();
      reservation.get().deliver(List.of(TASK));

      assertThat(woken.get(5, TimeUnit.SECONDS)).isTrue();
      assertThat(waiter.handedOut()).containsExactly(TASK);
    }
  }

  @Test
  void reserve_pollStillReading_empty() {
    try (WakeUps.Waiter waiter = wakeUps.register("ecd-a", 1)) {
      assertThat(wakeUps.reserve("ecd-a")).isEmpty();
      assertThat(waiter.handedOut()).isEmpty();
    }
  }

  @Test
  void reserve_pollWithoutFreeSlot_empty() throws Exception {
    try (WakeUps.Waiter waiter = wakeUps.register("ecd-a", 0)) {
      CompletableFuture<Boolean> woken = awaitAsync(waiter, 300);

      assertThat(wakeUps.reserve("ecd-a")).isEmpty();
      assertThat(woken.get(5, TimeUnit.SECONDS)).isFalse();
    }
  }

  @Test
  void reserve_samePollTwice_secondEmpty() throws Exception {
    try (WakeUps.Waiter waiter = wakeUps.register("ecd-a", 1)) {
      CompletableFuture<Boolean> woken = awaitAsync(waiter, 10_000);
      Optional<WakeUps.Reservation> first = reserveOnceWaiting("ecd-a");

      assertThat(first).isPresent();
      assertThat(wakeUps.reserve("ecd-a")).isEmpty();

      first.get().release();
      assertThat(woken.get(5, TimeUnit.SECONDS)).isTrue();
    }
  }

  @Test
  void release_reservedPoll_wakesWithoutTasks() throws Exception {
    try (WakeUps.Waiter waiter = wakeUps.register("ecd-a", 1)) {
      CompletableFuture<Boolean> woken = awaitAsync(waiter, 10_000);

      reserveOnceWaiting("ecd-a").orElseThrow().release();

      assertThat(woken.get(5, TimeUnit.SECONDS)).isTrue();
      assertThat(waiter.handedOut()).isEmpty();
    }
  }

  @Test
  void await_timeoutWhileReserved_waitsForTask() throws Exception {
    try (WakeUps.Waiter waiter = wakeUps.register("ecd-a", 1)) {
      CompletableFuture<Boolean> woken = awaitAsync(waiter, 200);
      WakeUps.Reservation reservation = reserveOnceWaiting("ecd-a").orElseThrow();

      Thread.sleep(500);
      assertThat(woken).isNotDone();
      reservation.deliver(List.of(TASK));

      assertThat(woken.get(5, TimeUnit.SECONDS)).isTrue();
      assertThat(waiter.handedOut()).containsExactly(TASK);
    }
  }

  @Test
  void wake_waitingPoll_wokenWithoutTasks() throws Exception {
    try (WakeUps.Waiter waiter = wakeUps.register("ecd-a", 1)) {
      CompletableFuture<Boolean> woken = awaitAsync(waiter, 10_000);

      wakeUps.wake(List.of("ecd-a"));

      assertThat(woken.get(5, TimeUnit.SECONDS)).isTrue();
      assertThat(waiter.handedOut()).isEmpty();
    }
  }

  @Test
  void reserve_pollTimedOut_empty() throws Exception {
    try (WakeUps.Waiter waiter = wakeUps.register("ecd-a", 1)) {
      assertThat(awaitAsync(waiter, 50).get(5, TimeUnit.SECONDS)).isFalse();

      assertThat(wakeUps.reserve("ecd-a")).isEmpty();
    }
  }

  @Test
  void reserve_closedPoll_empty() throws Exception {
    WakeUps.Waiter waiter = wakeUps.register("ecd-a", 1);
    CompletableFuture<Boolean> woken = awaitAsync(waiter, 300);
    Thread.sleep(100);
    waiter.close();

    assertThat(wakeUps.reserve("ecd-a")).isEmpty();
    assertThat(woken.get(5, TimeUnit.SECONDS)).isFalse();
  }
}
