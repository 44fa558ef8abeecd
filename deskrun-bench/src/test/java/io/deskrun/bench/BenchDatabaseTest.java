package io.deskrun.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The measured server on an embedded PostgreSQL, as {@code deskrun bench --db postgres} runs it.
 */
class BenchDatabaseTest {
  @TempDir Path dir;

  @Test
  void newDatabaseUrl_postgres_runsCommand() throws Exception {
    try (BenchDatabase database = BenchDatabase.postgres()) {
      String url = database.newDatabaseUrl();
      try (ServerProcess server = ServerProcess.start(dir.resolve("server"), 5, null, url);
          SimulatedFleet fleet = SimulatedFleet.start(server, 1, SimulatedAgent.Mode.PROCESS, 5)) {
        Invocations.runAndWait(server.api(), List.of(fleet.desktopId(0)), "echo hi");
      }

      assertThat(url).startsWith("jdbc:postgresql://");
      assertThat(database.description()).startsWith("PostgreSQL");
      assertThat(dir.resolve("server").resolve("db").resolve("deskrun.mv.db")).doesNotExist();
    }
  }

  @Test
  void newDatabaseUrl_h2_null() {
    try (BenchDatabase database = BenchDatabase.h2()) {
      assertThat(database.newDatabaseUrl()).isNull();
      assertThat(database.description()).startsWith("H2");
    }
  }
}
