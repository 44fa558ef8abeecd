package io.deskrun.agent.exec;

import java.nio.file.Path;

/** Turns a script's text into the files and command that run it with one interpreter. */
public interface Launcher {
  /**
   * Plans a run of {@code content}.
   *
   * @param directory where the script files go (the agent's state dir, never the working dir)
   * @param baseName file name stem unique to the run, such as the invoke id
   */
  LaunchPlan plan(String content, Path directory, String baseName);
}
