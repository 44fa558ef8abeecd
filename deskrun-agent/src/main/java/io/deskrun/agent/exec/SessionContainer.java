package io.deskrun.agent.exec;

import java.util.List;

/**
 * A new session and process group on Linux and macOS (via {@code setsid} when installed), or
 * nothing but the process's descendants where there is no {@code setsid} or on Windows without a
 * job. Killing sends SIGKILL to the group and to every descendant found at that moment.
 */
final class SessionContainer implements RunContainer {
  private final List<String> prefix;

  SessionContainer(boolean windows) {
    this.prefix = ProcessTree.sessionPrefix(windows);
  }

  @Override
  public List<String> prefix() {
    return prefix;
  }

  @Override
  public void attach(Process process) {
    // The session starts with the process itself.
  }

  @Override
  public void kill(ProcessHandle process) {
    ProcessTree.kill(process, !prefix.isEmpty());
  }

  @Override
  public void close() {
    // Nothing to release.
  }
}
