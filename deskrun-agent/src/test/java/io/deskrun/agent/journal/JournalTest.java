package io.deskrun.agent.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.deskrun.protocol.ErrorCodes;
import io.deskrun.protocol.RunReport;
import io.deskrun.protocol.TargetStatus;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JournalTest {
  @TempDir Path dir;
  final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-01-01T00:00:00Z"));
  final InstantSource clock = () -> now.get();

  @Test
  void tryStart_newId_written() throws IOException {
    try (Journal journal = open()) {
      assertThat(journal.tryStart("t-1")).isTrue();
    }

    String log = Files.readString(dir.resolve("journal.log"), StandardCharsets.UTF_8);
    assertThat(log).startsWith("started t-1 ");
  }

  /**
   * Covers a poll thread that Agent.close() interrupts while it journals a task: the line must
   * still reach the disk, and later writes must work.
   */
  @Test
  void tryStart_threadInterrupted_writtenAndLogUsable() throws IOException {
    try (Journal journal = open()) {
      Thread.currentThread().interrupt();
      try {
        assertThat(journal.tryStart("t-1")).isTrue();
        assertThat(Thread.currentThread().isInterrupted()).isTrue();
      } finally {
        Thread.interrupted();
      }

      assertThat(journal.tryStart("t-2")).isTrue();
    }

    String log = Files.readString(dir.resolve("journal.log"), StandardCharsets.UTF_8);
    assertThat(log).contains("started t-1 ").contains("started t-2 ");
  }

  @Test
  void tryStart_idAlreadyJournaled_false() throws IOException {
    try (Journal journal = open()) {
      journal.tryStart("t-1");

      assertThat(journal.tryStart("t-1")).isFalse();
    }
  }

  @Test
  void tryStart_idJournaledBeforeRestart_false() throws IOException {
    try (Journal journal = open()) {
      journal.tryStart("t-1");
    }

    try (Journal reopened = open()) {
      assertThat(reopened.tryStart("t-1")).isFalse();
      assertThat(reopened.tryStart("t-2")).isTrue();
    }
  }

  @Test
  void open_startedWithoutResult_listedAsUnfinished() throws IOException {
    try (Journal journal = open()) {
      journal.tryStart("t-cut");
      journal.tryStart("t-done");
      journal.storeResult(success("t-done"));
    }

    try (Journal reopened = open()) {
      assertThat(reopened.unfinishedAtOpen()).containsExactly("t-cut");
      assertThat(reopened.storedResult("t-done")).contains(success("t-done"));
    }
  }

  @Test
  void recordProcess_unfinishedRun_readBackAfterRestart() throws IOException {
    try (Journal journal = open()) {
      journal.tryStart("t-1");
      journal.recordProcess("t-1", 4242, 1_700_000_000_123L);
      journal.compact();
    }

    try (Journal reopened = open()) {
      assertThat(reopened.recordedProcess("t-1"))
          .contains(new Journal.RecordedProcess(4242, 1_700_000_000_123L));
      assertThat(reopened.unfinishedAtOpen()).containsExactly("t-1");
    }
  }

  @Test
  void storeResult_beforeConfirm_survivesRestart() throws IOException {
    RunReport report =
        new RunReport(
            "t-1", TargetStatus.Failed, 3L, "out 中\n", 5, ErrorCodes.EXIT_CODE_NONZERO, "exit 3");
    try (Journal journal = open()) {
      journal.tryStart("t-1");
      journal.storeResult(report);
    }

    try (Journal reopened = open()) {
      assertThat(reopened.unconfirmedResults()).containsExactly(report);
      assertThat(reopened.unfinishedAtOpen()).isEmpty();
    }
  }

  @Test
  void confirm_result_deletedAndIdStillBlocked() throws IOException {
    try (Journal journal = open()) {
      journal.tryStart("t-1");
      journal.storeResult(success("t-1"));

      journal.confirm("t-1");

      assertThat(journal.unconfirmedResults()).isEmpty();
      assertThat(journal.storedResult("t-1")).isEmpty();
    }
    try (Journal reopened = open()) {
      assertThat(reopened.tryStart("t-1")).isFalse();
      assertThat(reopened.unfinishedAtOpen()).isEmpty();
    }
  }

  @Test
  void compact_confirmedPastRetention_forgotten() throws IOException {
    try (Journal journal = open()) {
      journal.tryStart("t-old");
      journal.storeResult(success("t-old"));
      journal.confirm("t-old");
      journal.tryStart("t-running");
      now.set(now.get().plus(Duration.ofDays(8)));

      journal.compact();

      assertThat(journal.contains("t-old")).isFalse();
      assertThat(journal.contains("t-running")).isTrue();
    }
    String log = Files.readString(dir.resolve("journal.log"), StandardCharsets.UTF_8);
    assertThat(log).doesNotContain("t-old").contains("started t-running");
  }

  @Test
  void compact_moreConfirmedThanMax_oldestForgotten() throws IOException {
    try (Journal journal = Journal.open(dir, clock, Duration.ofDays(7), 2)) {
      for (String id : new String[] {"t-1", "t-2", "t-3"}) {
        journal.tryStart(id);
        journal.storeResult(success(id));
        journal.confirm(id);
      }

      journal.compact();

      assertThat(journal.contains("t-1")).isFalse();
      assertThat(journal.contains("t-2")).isTrue();
      assertThat(journal.contains("t-3")).isTrue();
    }
  }

  @Test
  void open_partialLastLine_ignored() throws IOException {
    Files.writeString(dir.resolve("journal.log"), "started t-1 1700000000000\nstarted t-");

    try (Journal journal = open()) {
      assertThat(journal.contains("t-1")).isTrue();
      assertThat(journal.unfinishedAtOpen()).containsExactly("t-1");
    }
  }

  @Test
  void tryStart_idWithSpace_rejected() throws IOException {
    try (Journal journal = open()) {
      assertThatThrownBy(() -> journal.tryStart("t 1"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("\"t 1\"");
    }
  }

  @Test
  void files_ownerOnlyPermissions() throws IOException {
    try (Journal journal = open()) {
      journal.tryStart("t-1");
      journal.storeResult(success("t-1"));
    }

    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)))
        .isEqualTo("rwx------");
    assertThat(
            PosixFilePermissions.toString(
                Files.getPosixFilePermissions(dir.resolve("journal.log"))))
        .isEqualTo("rw-------");
    try (var results = Files.list(dir.resolve("results"))) {
      Path result = results.findFirst().orElseThrow();
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(result)))
          .isEqualTo("rw-------");
    }
  }

  private Journal open() throws IOException {
    return Journal.open(dir, clock, Duration.ofDays(7), 10_000);
  }

  private static RunReport success(String invokeId) {
    return new RunReport(invokeId, TargetStatus.Success, 0L, "ok\n", 0, null, null);
  }
}
