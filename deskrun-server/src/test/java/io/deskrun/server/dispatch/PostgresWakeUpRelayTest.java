package io.deskrun.server.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import io.deskrun.server.storage.Database;
import io.deskrun.server.storage.TestPostgres;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two relays on one real PostgreSQL, as two servers would hold them. The desktops woken here have
 * no targets, so the periodic re-check never wakes them: only a notification can.
 */
class PostgresWakeUpRelayTest {
  private static final long WAKE_LIMIT_MILLIS = 10_000;

  private Database first;
  private Database second;
  private final WakeUps firstWakeUps = new WakeUps();
  private final WakeUps secondWakeUps = new WakeUps();
  private PostgresWakeUpRelay firstRelay;
  private PostgresWakeUpRelay secondRelay;

  @BeforeEach
  void start() throws InterruptedException {
    String url = TestPostgres.newDatabaseUrl();
    first = Database.open(url, TestPostgres.USER, "", 4);
    second = Database.open(url, TestPostgres.USER, "", 4);
    firstRelay = new PostgresWakeUpRelay(first, firstWakeUps, InstantSource.system());
    secondRelay = new PostgresWakeUpRelay(second, secondWakeUps, InstantSource.system());
    firstWakeUps.relayTo(firstRelay);
    secondWakeUps.relayTo(secondRelay);
    assertThat(firstRelay.start(Duration.ofSeconds(10))).isTrue();
    assertThat(secondRelay.start(Duration.ofSeconds(10))).isTrue();
  }

  @AfterEach
  void stop() {
    firstRelay.close();
    secondRelay.close();
    first.close();
    second.close();
  }

  @Test
  void wake_onFirstServer_wakesPollOnSecond() throws InterruptedException {
    try (WakeUps.Waiter waiter = secondWakeUps.register("ecd-remote")) {
      firstWakeUps.wake(List.of("ecd-remote"));

      assertThat(waiter.await(WAKE_LIMIT_MILLIS)).isTrue();
    }
  }

  @Test
  void wake_otherDesktop_leavesPollWaiting() throws InterruptedException {
    try (WakeUps.Waiter waiter = secondWakeUps.register("ecd-quiet")) {
      firstWakeUps.wake(List.of("ecd-other"));

      assertThat(waiter.await(500)).isFalse();
    }
  }

  @Test
  void wake_manyDesktops_splitIntoPayloadsAndAllWoken() throws InterruptedException {
    List<String> ids =
        java.util.stream.IntStream.range(0, 600).mapToObj(i -> "ecd-many" + i).toList();
    try (WakeUps.Waiter last = secondWakeUps.register(ids.getLast())) {
      firstWakeUps.wake(ids);

      assertThat(PostgresWakeUpRelay.payloads(ids)).hasSizeGreaterThan(1);
      assertThat(last.await(WAKE_LIMIT_MILLIS)).isTrue();
    }
  }

  @Test
  void listener_connectionTerminated_reconnectsAndWakesAgain() throws InterruptedException {
    int terminated = terminateListeners();
    assertThat(terminated).isEqualTo(2);
    awaitListeners(2);

    try (WakeUps.Waiter waiter = secondWakeUps.register("ecd-after")) {
      firstWakeUps.wake(List.of("ecd-after"));

      assertThat(waiter.await(WAKE_LIMIT_MILLIS)).isTrue();
    }
  }

  @Test
  void payloads_fewIds_onePayloadJoinedWithCommas() {
    assertThat(PostgresWakeUpRelay.payloads(List.of("ecd-a", "ecd-b")))
        .containsExactly("ecd-a,ecd-b");
    assertThat(PostgresWakeUpRelay.payloads(Collections.emptyList())).isEmpty();
  }

  /** Ends the listening sessions the way a database restart would; returns how many. */
  private int terminateListeners() {
    return first
        .jdbi()
        .withHandle(
            handle ->
                handle
                    .createQuery(
                        "SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity"
                            + " WHERE datname = current_database() AND query LIKE 'LISTEN%'")
                    .mapTo(int.class)
                    .one());
  }

  private void awaitListeners(int count) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (System.nanoTime() < deadline) {
      int listening =
          first
              .jdbi()
              .withHandle(
                  handle ->
                      handle
                          .createQuery(
                              "SELECT COUNT(*) FROM pg_stat_activity"
                                  + " WHERE datname = current_database() AND query LIKE 'LISTEN%'")
                          .mapTo(int.class)
                          .one());
      if (listening >= count) {
        return;
      }
      Thread.sleep(100);
    }
    throw new AssertionError(count + " listeners did not reconnect within 20 s");
  }
}
