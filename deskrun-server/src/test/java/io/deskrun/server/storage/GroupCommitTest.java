package io.deskrun.server.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Handle;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Shared transactions of concurrent writes, on a real H2 database. */
class GroupCommitTest {
  @TempDir Path dir;

  private Database database;
  private GroupCommit writes;

  @BeforeEach
  void open() {
    database = Database.open("jdbc:h2:file:" + dir.resolve("db") + ";WRITE_DELAY=0", "", "");
    database.jdbi().useHandle(h -> h.execute("CREATE TABLE items (name VARCHAR(64) PRIMARY KEY)"));
    writes = new GroupCommit(database.jdbi());
  }

  @AfterEach
  void close() {
    database.close();
  }

  private static int insert(Handle handle, String name) {
    return handle
        .createUpdate("INSERT INTO items (name) VALUES (:name)")
        .bind("name", name)
        .execute();
  }

  private List<String> stored() {
    return database
        .jdbi()
        .withHandle(
            h -> h.createQuery("SELECT name FROM items ORDER BY name").mapTo(String.class).list());
  }

  @Test
  void run_alone_returnsResultAndCommits() {
    int inserted = writes.run(handle -> insert(handle, "a"));

    assertThat(inserted).isEqualTo(1);
    assertThat(stored()).containsExactly("a");
  }

  @Test
  void run_queuedWrites_shareOneTransaction() throws Exception {
    CountDownLatch releaseFirst = new CountDownLatch(1);
    Set<Handle> handles = ConcurrentHashMap.newKeySet();
    int queued = 20;

    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      Future<Integer> first = startBlockedWrite(pool, releaseFirst, handles);
      List<Future<Integer>> others = new ArrayList<>();
      for (int i = 0; i < queued; i++) {
        String name = "item-" + i;
        others.add(
            pool.submit(
                () ->
                    writes.run(
                        handle -> {
                          handles.add(handle);
                          return insert(handle, name);
                        })));
      }
      Thread.sleep(200);
      releaseFirst.countDown();

      assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo(1);
      for (Future<Integer> other : others) {
        assertThat(other.get(10, TimeUnit.SECONDS)).isEqualTo(1);
      }
    }

    assertThat(stored()).hasSize(queued + 1);
    assertThat(handles).hasSize(2);
  }

  @Test
  void run_oneFailingQueuedWrite_othersCommitted() throws Exception {
    writes.run(handle -> insert(handle, "taken"));
    CountDownLatch releaseFirst = new CountDownLatch(1);

    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      Future<Integer> first = startBlockedWrite(pool, releaseFirst, ConcurrentHashMap.newKeySet());
      Future<Integer> good = pool.submit(() -> writes.run(handle -> insert(handle, "good")));
      Future<Integer> duplicate = pool.submit(() -> writes.run(handle -> insert(handle, "taken")));
      Future<Integer> alsoGood =
          pool.submit(() -> writes.run(handle -> insert(handle, "also-good")));
      Thread.sleep(200);
      releaseFirst.countDown();

      assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo(1);
      assertThat(good.get(10, TimeUnit.SECONDS)).isEqualTo(1);
      assertThat(alsoGood.get(10, TimeUnit.SECONDS)).isEqualTo(1);
      assertThatThrownBy(() -> duplicate.get(10, TimeUnit.SECONDS))
          .hasRootCauseInstanceOf(java.sql.SQLException.class);
    }

    assertThat(stored()).containsExactly("also-good", "first", "good", "taken");
  }

  @Test
  void run_failingWriteAlone_rolledBackAndThrown() {
    assertThatThrownBy(
            () ->
                writes.run(
                    handle -> {
                      insert(handle, "partial");
                      throw new IllegalStateException("write failed on purpose");
                    }))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("write failed on purpose");

    assertThat(stored()).isEmpty();
    int after = writes.run(handle -> insert(handle, "after"));
    assertThat(after).isEqualTo(1);
  }

  /**
   * Starts a write that inserts "first" once {@code release} opens, and returns when it is running,
   * so that the writes started next queue up behind it.
   */
  private Future<Integer> startBlockedWrite(
      ExecutorService pool, CountDownLatch release, Set<Handle> handles)
      throws InterruptedException {
    CountDownLatch started = new CountDownLatch(1);
    Future<Integer> first =
        pool.submit(
            () ->
                writes.run(
                    handle -> {
                      handles.add(handle);
                      started.countDown();
                      await(release);
                      return insert(handle, "first");
                    }));
    assertThat(started.await(5, TimeUnit.SECONDS)).isTrue();
    return first;
  }

  private static void await(CountDownLatch latch) {
    try {
      if (!latch.await(10, TimeUnit.SECONDS)) {
        throw new IllegalStateException("The test did not release the first write");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
