package io.deskrun.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class BenchCommandTest {
  private final StringWriter err = new StringWriter();

  private int execute(String... args) {
    CommandLine commandLine = Main.newCommandLine();
    commandLine.setOut(new PrintWriter(new StringWriter(), true));
    commandLine.setErr(new PrintWriter(err, true));
    return commandLine.execute(args);
  }

  @Test
  void bench_unknownScenario_namesTheKnownOnes() {
    int exitCode = execute("bench", "--only", "single,warp");

    assertThat(exitCode).isEqualTo(ExitCodes.USAGE);
    assertThat(err.toString())
        .contains("Unknown scenario 'warp'")
        .contains("single, fanout, ansible, throughput, capacity");
  }

  @Test
  void bench_unknownDatabase_isRejected() {
    int exitCode = execute("bench", "--db", "oracle");

    assertThat(exitCode).isEqualTo(ExitCodes.USAGE);
    assertThat(err.toString()).contains("--db must be h2 or postgres, not 'oracle'");
  }
}
