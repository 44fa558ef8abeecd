package io.deskrun.server.account;

import static org.assertj.core.api.Assertions.assertThat;

import io.deskrun.server.storage.Database;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The write-behind nonce registry of a single server, on a real H2 database. */
class DatabaseNonceRegistryTest {
  /** Long enough that the writer thread never runs during a test unless the test waits for it. */
  private static final Duration NEVER = Duration.ofHours(1);

  @TempDir Path dir;

  private final AtomicReference<Instant> now =
      new AtomicReference<>(Instant.parse("2026-12-04T10:00:00Z"));
  private Database database;
  private DatabaseNonceRegistry nonces;

  @BeforeEach
  void open() {
    database = Database.open("jdbc:h2:file:" + dir.resolve("db") + ";WRITE_DELAY=0", "", "");
    nonces = DatabaseNonceRegistry.writeBehind(database.jdbi(), now::get, NEVER);
  }

  @AfterEach
  void close() {
    nonces.close();
    database.close();
  }

  private Instant expiry() {
    return now.get().plusSeconds(900);
  }

  private int storedRows() {
    return database
        .jdbi()
        .withHandle(h -> h.createQuery("SELECT COUNT(*) FROM nonces").mapTo(int.class).one());
  }

  @Test
  void register_sameNonceBeforeWrite_rejected() {
    assertThat(nonces.register("key", "n1", expiry())).isTrue();

    assertThat(nonces.register("key", "n1", expiry())).isFalse();
    assertThat(storedRows()).isZero();
  }

  @Test
  void register_sameNonceAfterWrite_rejected() {
    nonces.register("key", "n1", expiry());
    nonces.flush();

    assertThat(storedRows()).isEqualTo(1);
    assertThat(nonces.register("key", "n1", expiry())).isFalse();
  }

  @Test
  void register_sameNonceOtherKey_accepted() {
    nonces.register("key", "n1", expiry());

    assertThat(nonces.register("other-key", "n1", expiry())).isTrue();
  }

  @Test
  void register_afterCloseAndReopen_rejected() {
    nonces.register("key", "n1", expiry());
    nonces.close();

    nonces = DatabaseNonceRegistry.writeBehind(database.jdbi(), now::get, NEVER);

    assertThat(nonces.register("key", "n1", expiry())).isFalse();
  }

  @Test
  void register_expiredInMemory_acceptedAgain() {
    nonces.register("key", "n1", expiry());
    now.updateAndGet(time -> time.plusSeconds(901));

    assertThat(nonces.register("key", "n1", expiry())).isTrue();
    assertThat(nonces.register("key", "n1", expiry())).isFalse();
  }

  @Test
  void register_expiredStored_acceptedAndNewExpiryWritten() {
    nonces.register("key", "n1", expiry());
    nonces.flush();
    now.updateAndGet(time -> time.plusSeconds(901));

    assertThat(nonces.register("key", "n1", expiry())).isTrue();
    nonces.flush();

    long stored =
        database
            .jdbi()
            .withHandle(
                h -> h.createQuery("SELECT expires_at FROM nonces").mapTo(long.class).one());
    assertThat(stored).isEqualTo(expiry().toEpochMilli());
  }

  @Test
  void register_manyThreadsWhileWriting_eachAcceptedOnce() throws Exception {
    int threads = 8;
    int nonceCount = 200;
    List<Callable<Integer>> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      workers.add(
          () -> {
            int accepted = 0;
            for (int i = 0; i < nonceCount; i++) {
              if (nonces.register("key", "n" + i, expiry())) {
                accepted++;
              }
              if (i % 20 == 0) {
                nonces.flush();
              }
            }
            return accepted;
          });
    }

    int total = 0;
    try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
      for (Future<Integer> result : pool.invokeAll(workers)) {
        total += result.get();
      }
    }

    assertThat(total).isEqualTo(nonceCount);
  }

  @Test
  void writeBehind_interval_writesWithoutBeingAsked() throws Exception {
    nonces.close();
    nonces = DatabaseNonceRegistry.writeBehind(database.jdbi(), now::get, Duration.ofMillis(20));

    nonces.register("key", "n1", expiry());

    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (storedRows() == 0 && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(storedRows()).isEqualTo(1);
  }
}
