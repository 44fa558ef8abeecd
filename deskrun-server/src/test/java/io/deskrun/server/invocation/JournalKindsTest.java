package io.deskrun.server.invocation;

import static org.assertj.core.api.Assertions.assertThat;

import io.deskrun.protocol.RunReport;
import io.deskrun.protocol.ScriptType;
import io.deskrun.protocol.TargetStatus;
import io.deskrun.server.storage.Database;
import io.deskrun.server.storage.WriteJournal;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A RunCommand and its reports written through the journal, then a crash that loses everything H2
 * held in memory: the next start applies the journal and finds them as they were when the server
 * responded. H2 is opened with a write delay of 60 s, and {@code SHUTDOWN IMMEDIATELY} closes it
 * without writing.
 */
class JournalKindsTest {
  private static final Duration NEVER = Duration.ofMinutes(10);
  private static final InstantSource CLOCK = InstantSource.system();

  @TempDir Path dir;

  @Test
  void crash_invocationAndReports_restoredFromJournal() throws Exception {
    writeInvocationThenCrash();

    try (Database database = open()) {
      database.startJournal(JournalKinds.all(), NEVER);

      assertRestored(database);
    }
  }

  /** A journal applied at a start that was cut short is applied again at the next one. */
  @Test
  void crash_journalAppliedTwice_sameState() throws Exception {
    writeInvocationThenCrash();
    Path copy = Files.createDirectory(dir.resolve("copy"));
    copyFiles(journalDir(), copy);

    try (Database database = open()) {
      database.startJournal(JournalKinds.all(), NEVER);
    }
    copyFiles(copy, journalDir());
    try (Database database = open()) {
      database.startJournal(JournalKinds.all(), NEVER);

      assertRestored(database);
    }
  }

  @Test
  void all_kindNames_distinct() {
    List<String> names = JournalKinds.all().stream().map(WriteJournal.Kind::name).toList();

    assertThat(names).doesNotHaveDuplicates().hasSize(4);
  }

  private void writeInvocationThenCrash() throws Exception {
    try (Database database = open()) {
      database
          .jdbi()
          .useHandle(
              h -> h.execute("INSERT INTO accounts (account_id, created_at) VALUES ('a', 0)"));
      database.startJournal(JournalKinds.all(), NEVER);
      InvocationStore store = new InvocationStore(database.jdbi(), CLOCK);
      Targets targets = new Targets(database.jdbi(), CLOCK, database.dialect());

      store.insert(
          new InvocationStore.NewInvocation(
              "t-journal",
              "a",
              "cn-hangzhou",
              ScriptType.RunShellScript,
              "echo done",
              null,
              60,
              CLOCK.millis()),
          List.of(
              new NewTarget("ecd-one", "one", TargetStatus.Pending, null),
              new NewTarget("ecd-two", "two", TargetStatus.Pending, null)),
          Set.of("ecd-one"));
      report(targets, "ecd-one", TargetStatus.Running, null, "partial");
      report(targets, "ecd-one", TargetStatus.Success, 0L, "done\n");
      report(targets, "ecd-two", TargetStatus.Running, null, "half");
      report(targets, "ecd-two", TargetStatus.Running, null, "half and more");
      crash();
    }
    try (Database database = open()) {
      assertThat(invocationCount(database)).isZero();
    }
  }

  private static void report(
      Targets targets, String desktopId, TargetStatus status, Long exitCode, String output) {
    Targets.ReportOutcome outcome =
        targets.applyReport(
            desktopId, new RunReport("t-journal", status, exitCode, output, 0, null, null));
    assertThat(outcome).isEqualTo(Targets.ReportOutcome.APPLIED);
  }

  private static void assertRestored(Database database) {
    assertThat(invocationCount(database)).isEqualTo(1);
    Map<String, List<InvocationStore.StoredTarget>> stored =
        new InvocationStore(database.jdbi(), CLOCK).targetsOf(List.of("t-journal"));
    List<InvocationStore.StoredTarget> targets = stored.get("t-journal");
    assertThat(targets).hasSize(2);

    InvocationStore.StoredTarget finished = targets.get(0);
    assertThat(finished.desktopId()).isEqualTo("ecd-one");
    assertThat(finished.status()).isEqualTo(TargetStatus.Success);
    assertThat(finished.exitCode()).isZero();
    assertThat(finished.output()).isEqualTo("done\n");
    assertThat(finished.startTime()).isNotNull();
    assertThat(finished.finishTime()).isNotNull();

    InvocationStore.StoredTarget running = targets.get(1);
    assertThat(running.status()).isEqualTo(TargetStatus.Running);
    assertThat(running.output()).isEqualTo("half and more");
  }

  private static int invocationCount(Database database) {
    return database
        .jdbi()
        .withHandle(h -> h.createQuery("SELECT COUNT(*) FROM invocations").mapTo(int.class).one());
  }

  private String url() {
    return "jdbc:h2:file:" + dir.resolve("db") + ";WRITE_DELAY=60000";
  }

  private Database open() {
    return Database.open(url(), "", "");
  }

  private Path journalDir() {
    return dir.resolve("db.journal");
  }

  /** Closes H2 without writing its memory to the file, as a killed process would. */
  private void crash() throws Exception {
    try (Connection connection = DriverManager.getConnection(url(), "", "");
        Statement statement = connection.createStatement()) {
      statement.execute("SHUTDOWN IMMEDIATELY");
    }
  }

  private static void copyFiles(Path from, Path to) throws IOException {
    try (Stream<Path> files = Files.list(from)) {
      for (Path file : files.toList()) {
        Files.copy(file, to.resolve(file.getFileName()), StandardCopyOption.REPLACE_EXISTING);
      }
    }
  }
}
