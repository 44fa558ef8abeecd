package io.deskrun.server.invocation;

import static org.assertj.core.api.Assertions.assertThat;

import io.deskrun.protocol.ErrorCodes;
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
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The target state machine on a real H2 database, driven by a clock the test moves. {@link
 * TargetsOnPostgresTest} runs the same cases on PostgreSQL.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TargetsTest {
  private static final Duration REOFFER = Duration.ofSeconds(5);
  private static final Duration WINDOW = Duration.ofSeconds(60);

  @TempDir static Path dataDir;
  Database database;
  final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-12-04T10:00:00Z"));
  final InstantSource clock = now::get;
  Targets targets;
  InvocationStore store;
  int sequence;

  @BeforeAll
  void open() {
    database = openDatabase();
    database
        .jdbi()
        .useHandle(h -> h.execute("INSERT INTO accounts (account_id, created_at) VALUES ('a', 0)"));
    targets = new Targets(database.jdbi(), clock, database.dialect());
    store = new InvocationStore(database.jdbi(), clock);
  }

  @AfterAll
  void close() {
    database.close();
  }

  /** Opens the database under test; the PostgreSQL variant opens one there. */
  Database openDatabase() {
    return Database.open("jdbc:h2:file:" + dataDir.resolve("db"), "", "");
  }

  private void advance(Duration duration) {
    now.updateAndGet(instant -> instant.plus(duration));
  }

  /** Stores an invocation with one Pending target on a fresh desktop id; returns the ids. */
  private String[] newTarget(long timeoutSeconds) {
    sequence++;
    String invokeId = "t-test" + sequence;
    String desktopId = "ecd-test" + sequence;
    store.insert(
        new InvocationStore.NewInvocation(
            invokeId,
            "a",
            "cn-hangzhou",
            ScriptType.RunShellScript,
            "echo",
            null,
            timeoutSeconds,
            clock.millis()),
        List.of(new NewTarget(desktopId, "d", TargetStatus.Pending, null)));
    return new String[] {invokeId, desktopId};
  }

  private TargetStatus status(String[] target) {
    return targets.statusOf(target[0], target[1]).orElseThrow();
  }

  private Targets.ReportOutcome report(String[] target, TargetStatus status) {
    return targets.applyReport(target[1], new RunReport(target[0], status, 0L, "", 0, null, null));
  }

  @Test
  void claim_twice_deliversOnce() {
    String[] target = newTarget(60);

    List<Task> first = targets.claimForDelivery(target[1], 5, REOFFER, WINDOW);
    List<Task> second = targets.claimForDelivery(target[1], 5, REOFFER, WINDOW);

    assertThat(first).hasSize(1);
    assertThat(second).isEmpty();
  }

  @Test
  void claim_afterReofferDelay_deliversAgain() {
    String[] target = newTarget(60);
    targets.claimForDelivery(target[1], 5, REOFFER, WINDOW);

    advance(REOFFER);

    assertThat(targets.claimForDelivery(target[1], 5, REOFFER, WINDOW)).hasSize(1);
  }

  @Test
  void claim_pastDeliveryWindow_notDelivered() {
    String[] target = newTarget(60);

    advance(WINDOW);

    assertThat(targets.claimForDelivery(target[1], 5, REOFFER, WINDOW)).isEmpty();
  }

  @Test
  void report_runningTwice_startsOnce() {
    String[] target = newTarget(60);

    Targets.ReportOutcome first = report(target, TargetStatus.Running);
    Targets.ReportOutcome second = report(target, TargetStatus.Running);

    assertThat(first).isEqualTo(Targets.ReportOutcome.APPLIED);
    assertThat(second).isEqualTo(Targets.ReportOutcome.APPLIED);
    assertThat(status(target)).isEqualTo(TargetStatus.Running);
  }

  @Test
  void report_afterFinal_ignored() {
    String[] target = newTarget(60);
    report(target, TargetStatus.Running);
    report(target, TargetStatus.Success);

    for (TargetStatus late :
        List.of(TargetStatus.Running, TargetStatus.Failed, TargetStatus.Terminated)) {
      assertThat(report(target, late)).isEqualTo(Targets.ReportOutcome.IGNORED);
    }
    assertThat(status(target)).isEqualTo(TargetStatus.Success);
  }

  @Test
  void report_serverOnlyStatus_ignored() {
    String[] target = newTarget(60);

    for (TargetStatus status :
        List.of(
            TargetStatus.Pending,
            TargetStatus.Invalid,
            TargetStatus.Aborted,
            TargetStatus.Stopping)) {
      assertThat(report(target, status)).as("%s", status).isEqualTo(Targets.ReportOutcome.IGNORED);
    }
    assertThat(status(target)).isEqualTo(TargetStatus.Pending);
  }

  @Test
  void report_finalWithoutStart_finishes() {
    String[] target = newTarget(60);

    report(target, TargetStatus.Success);

    assertThat(status(target)).isEqualTo(TargetStatus.Success);
  }

  @Test
  void requestStop_repeated_neverMovesBackwards() {
    String[] pending = newTarget(60);
    String[] running = newTarget(60);
    report(running, TargetStatus.Running);

    targets.requestStop(pending[0], List.of(pending[1]));
    targets.requestStop(running[0], List.of(running[1]));
    report(running, TargetStatus.Terminated);
    targets.requestStop(running[0], List.of(running[1]));
    targets.requestStop(pending[0], List.of(pending[1]));

    assertThat(status(pending)).isEqualTo(TargetStatus.Cancelled);
    assertThat(status(running)).isEqualTo(TargetStatus.Terminated);
  }

  @Test
  void report_runningAfterCancel_ignored() {
    String[] target = newTarget(60);
    targets.requestStop(target[0], List.of(target[1]));

    assertThat(report(target, TargetStatus.Running)).isEqualTo(Targets.ReportOutcome.IGNORED);
    assertThat(status(target)).isEqualTo(TargetStatus.Cancelled);
    assertThat(targets.stopIdsFor(target[1], List.of(target[0]))).containsExactly(target[0]);
  }

  @Test
  void stopIdsFor_stoppingTarget_onlyWhenAgentListsItOrSendsNoList() {
    String[] target = newTarget(60);
    report(target, TargetStatus.Running);
    targets.requestStop(target[0], List.of(target[1]));

    assertThat(targets.stopIdsFor(target[1], List.of(target[0]))).containsExactly(target[0]);
    assertThat(targets.stopIdsFor(target[1], List.of())).isEmpty();
    assertThat(targets.stopIdsFor(target[1], null)).containsExactly(target[0]);
  }

  @Test
  void stopIdsFor_runningAndPending_notStopped() {
    String[] running = newTarget(60);
    report(running, TargetStatus.Running);
    String[] pending = newTarget(60);

    assertThat(targets.stopIdsFor(running[1], List.of(running[0]))).isEmpty();
    assertThat(targets.stopIdsFor(pending[1], List.of(pending[0]))).isEmpty();
    assertThat(targets.stopIdsFor(running[1], List.of("t-deleted"))).containsExactly("t-deleted");
  }

  @Test
  void abortUndelivered_pastWindowOnly_abortsOnce() {
    String[] old = newTarget(60);
    advance(WINDOW);
    String[] fresh = newTarget(60);

    targets.abortUndelivered(WINDOW);
    int again = targets.abortUndelivered(WINDOW);

    assertThat(status(old)).isEqualTo(TargetStatus.Aborted);
    assertThat(status(fresh)).isEqualTo(TargetStatus.Pending);
    assertThat(again).isZero();
  }

  @Test
  void abortUndelivered_runningTarget_untouched() {
    String[] target = newTarget(60);
    report(target, TargetStatus.Running);

    advance(WINDOW.multipliedBy(2));
    targets.abortUndelivered(WINDOW);

    assertThat(status(target)).isEqualTo(TargetStatus.Running);
  }

  @Test
  void failSilentRuns_pastDeadlineAndGrace_errorClientNotResponse() {
    Duration grace = Duration.ofSeconds(30);
    String[] target = newTarget(10);
    report(target, TargetStatus.Running);

    advance(Duration.ofSeconds(39));
    int early = targets.failSilentRuns(grace);
    advance(Duration.ofSeconds(2));
    int late = targets.failSilentRuns(grace);

    assertThat(early).isZero();
    assertThat(late).isEqualTo(1);
    assertThat(status(target)).isEqualTo(TargetStatus.Error);
    String code =
        database
            .jdbi()
            .withHandle(
                h ->
                    h.createQuery("SELECT error_code FROM targets WHERE invoke_id = :id")
                        .bind("id", target[0])
                        .mapTo(String.class)
                        .one());
    assertThat(code).isEqualTo(ErrorCodes.CLIENT_NOT_RESPONSE);
  }

  @Test
  void failSilentRuns_agentStillReporting_untouched() {
    Duration grace = Duration.ofSeconds(30);
    String[] target = newTarget(10);
    report(target, TargetStatus.Running);

    advance(Duration.ofSeconds(35));
    report(target, TargetStatus.Running);
    advance(Duration.ofSeconds(10));
    targets.failSilentRuns(grace);

    assertThat(status(target)).isEqualTo(TargetStatus.Running);
  }

  @Test
  void cancelPendingOf_leavesOtherDesktopsAndRunning() {
    String[] pending = newTarget(60);
    String[] running = newTarget(60);
    report(running, TargetStatus.Running);

    targets.cancelPendingOf(pending[1]);
    targets.cancelPendingOf(running[1]);

    assertThat(status(pending)).isEqualTo(TargetStatus.Cancelled);
    assertThat(status(running)).isEqualTo(TargetStatus.Running);
  }
}
