package io.deskrun.agent.exec;

import java.util.List;

/**
 * What one run's processes are started in so they can be killed as a whole: a session and process
 * group, a cgroup, or a Windows Job Object. Closing it releases the container without killing what
 * is left in it, because programs a script deliberately started in the background keep running.
 */
interface RunContainer extends AutoCloseable {
  /** Words to put before the interpreter command so the process starts inside the container. */
  List<String> prefix();

  /** Takes in the script's process right after it started, where the container needs that. */
  void attach(Process process);

  /** Kills the script's process and every process in the container or below the script. */
  void kill(ProcessHandle process);

  /** Releases the container; what still runs in it keeps running. */
  @Override
  void close();
}
