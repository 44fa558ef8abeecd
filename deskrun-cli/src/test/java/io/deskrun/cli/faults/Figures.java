package io.deskrun.cli.faults;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;

/**
 * Measured figures of the fault suite: printed, and appended to {@code target/fault-figures.txt} so
 * a run leaves them in one place.
 */
final class Figures {
  private static final Path FILE = Path.of("target", "fault-figures.txt");

  private Figures() {}

  static void record(String fault, Duration untilFinal, int launches, int acceptedTargets) {
    String line =
        String.format(
            "%s: final state %.1f s after the fault; launches by side effect %d, accepted targets"
                + " %d%n",
            fault, untilFinal.toMillis() / 1000.0, launches, acceptedTargets);
    note(line);
  }

  static void note(String line) {
    System.out.print(line);
    try {
      Files.createDirectories(FILE.getParent());
      Files.writeString(FILE, line, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    } catch (IOException e) {
      System.out.println("figures not written to " + FILE + ": " + e);
    }
  }
}
