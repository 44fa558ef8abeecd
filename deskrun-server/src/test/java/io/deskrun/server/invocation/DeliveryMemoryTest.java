package io.deskrun.server.invocation;

import static org.assertj.core.api.Assertions.assertThat;

import io.deskrun.protocol.RunReport;
import io.deskrun.protocol.ScriptType;
import io.deskrun.protocol.TargetStatus;
import io.deskrun.protocol.Task;
import io.deskrun.server.storage.Database;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Polls that skip the database read on a server with its own H2 database, and the events that make
 * them read again. A target inserted without telling {@link Targets#stored} stands for a change the
 * server cannot see; it shows whether a poll read the database.
 */
class DeliveryMemoryTest {
  private static final Duration REOFFER = Duration.ofSeconds(5);
  private static final Duration WINDOW = Duration.ofMinutes(10);
  private static final String DESKTOP = "ecd-memory";

  @TempDir Path dir;
  final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-12-05T10:00:00Z"));
  final InstantSource clock = now::get;
  Database database;
  Targets targets;
  InvocationStore store;
  int sequence;

  @BeforeEach
  void open() {
    database = Database.open("jdbc:h2:file:" + dir.resolve("db"), "", "");
    database
        .jdbi()
        .useHandle(h -> h.execute("INSERT INTO accounts (account_id, created_at) VALUES ('a', 0)"));
    targets = new Targets(database.jdbi(), clock, database.dialect());
    store = new InvocationStore(database.jdbi(), clock);
  }

  @AfterEach
  void close() {
    database.close();
  }

  @Test
  void claim_afterEmptyRead_skipsDatabase() {
    assertThat(claim()).isEmpty();
    String unseen = insert(Set.of());

    assertThat(claim()).isEmpty();
    advance(Duration.ofMillis(DeliveryMemory.TRUST_MILLIS));
    assertThat(claim()).extracting(Task::invokeId).containsExactly(unseen);
  }

  @Test
  void claim_storedForDesktop_readsAndFinds() {
    assertThat(claim()).isEmpty();
    String invokeId = insert(Set.of());

    targets.stored(invokeId, clock.millis(), List.of(), List.of(DESKTOP));

    assertThat(claim()).extracting(Task::invokeId).containsExactly(invokeId);
  }

  @Test
  void claim_handedOutNotStarted_offeredAgain() {
    assertThat(claim()).isEmpty();
    String invokeId = insert(Set.of(DESKTOP));
    targets.stored(invokeId, createdAt(invokeId), List.of(DESKTOP), List.of());

    assertThat(claim()).isEmpty();
    advance(REOFFER);
    assertThat(claim()).extracting(Task::invokeId).containsExactly(invokeId);
  }

  @Test
  void claim_handedOutAndStarted_notReadAgain() {
    assertThat(claim()).isEmpty();
    String invokeId = insert(Set.of(DESKTOP));
    targets.stored(invokeId, createdAt(invokeId), List.of(DESKTOP), List.of());
    targets.applyReport(
        DESKTOP, new RunReport(invokeId, TargetStatus.Running, null, "", 0, null, null));
    insert(Set.of());

    advance(REOFFER);

    assertThat(claim()).isEmpty();
  }

  @Test
  void claim_readFoundTasksBeyondSlots_readsAgain() {
    String first = insert(Set.of());
    String second = insert(Set.of());

    assertThat(targets.claimForDelivery(DESKTOP, 1, REOFFER, WINDOW))
        .extracting(Task::invokeId)
        .containsExactly(first);
    assertThat(claim()).extracting(Task::invokeId).containsExactly(second);
  }

  @Test
  void foundNothing_changedDuringRead_notMarkedEmpty() {
    DeliveryMemory memory = new DeliveryMemory();
    long version = memory.versionOf(DESKTOP);

    memory.changed(DESKTOP);
    memory.foundNothing(DESKTOP, version, 1_000, 0);

    assertThat(memory.nothingToHandOut(DESKTOP, 1_000, REOFFER.toMillis())).isFalse();
  }

  @Test
  void nothingToHandOut_unknownDesktop_false() {
    assertThat(new DeliveryMemory().nothingToHandOut(DESKTOP, 1_000, REOFFER.toMillis())).isFalse();
  }

  private List<Task> claim() {
    return targets.claimForDelivery(DESKTOP, 10, REOFFER, WINDOW);
  }

  /** Stores an invocation with a Pending target on the desktop; returns its id. */
  private String insert(Set<String> deliveredDesktopIds) {
    sequence++;
    String invokeId = "t-memory" + sequence;
    store.insert(
        new InvocationStore.NewInvocation(
            invokeId,
            "a",
            "cn-hangzhou",
            ScriptType.RunShellScript,
            "echo",
            null,
            60,
            clock.millis()),
        List.of(new NewTarget(DESKTOP, "d", TargetStatus.Pending, null)),
        deliveredDesktopIds);
    return invokeId;
  }

  private long createdAt(String invokeId) {
    return database
        .jdbi()
        .withHandle(
            h ->
                h.createQuery("SELECT created_at FROM invocations WHERE invoke_id = :id")
                    .bind("id", invokeId)
                    .mapTo(long.class)
                    .one());
  }

  private void advance(Duration duration) {
    now.updateAndGet(instant -> instant.plus(duration));
  }
}
