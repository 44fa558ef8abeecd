package io.deskrun.agent.exec;

import java.nio.file.Path;
import java.util.List;

/**
 * A launcher's output for one run: the files to write (the script, and a wrapper where the
 * interpreter needs one) and the command that runs them. It is built without touching the disk, so
 * tests can check the exact bytes and arguments.
 */
public record LaunchPlan(List<ScriptFile> files, List<String> command) {
  public LaunchPlan {
    files = List.copyOf(files);
    command = List.copyOf(command);
  }

  /** A file to write before the launch and delete after the run. */
  public record ScriptFile(Path path, byte[] bytes) {}
}
