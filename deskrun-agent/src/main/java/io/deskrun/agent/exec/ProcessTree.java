package io.deskrun.agent.exec;

import io.deskrun.protocol.OsType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts a script as the leader of its own session on Linux and kills the whole tree on demand.
 *
 * <p>{@code setsid} makes the script's process the leader of a new session and process group, so
 * background children that outlive their parent (and are re-parented to init) can still be found by
 * group. Killing sends SIGKILL to the group and to every descendant that {@link
 * ProcessHandle#descendants()} finds at that moment, which covers children that moved to another
 * group. A process that starts its own session escapes both; {@link CgroupContainer} closes that
 * gap where the agent can create cgroups.
 */
public final class ProcessTree {
  private static final Logger LOG = LoggerFactory.getLogger(ProcessTree.class);
  private static final Path SETSID = Path.of("/usr/bin/setsid");

  private ProcessTree() {}

  /** Returns the prefix that starts a command in a new session, or an empty list. */
  static List<String> sessionPrefix(boolean windows) {
    // Windows has no sessions here: JobObjectContainer puts the process into a Job Object.
    if (!windows && Files.isExecutable(SETSID)) {
      return List.of(SETSID.toString());
    }
    return List.of();
  }

  /**
   * Sends SIGKILL to the process group led by {@code process} (when it was started with {@link
   * #sessionPrefix}) and to all of its descendants.
   */
  static void kill(ProcessHandle process, boolean ownGroup) {
    List<ProcessHandle> descendants = new ArrayList<>(process.descendants().toList());
    // The script's own process goes first: a shell that outlived a killed child would print a
    // job status line such as "Killed sleep 700" into the output.
    process.destroyForcibly();
    if (ownGroup) {
      killGroup(process.pid());
    }
    for (ProcessHandle handle : descendants) {
      handle.destroyForcibly();
    }
  }

  /**
   * Kills the tree of a script that an earlier agent process started and lost track of, if the
   * process with {@code pid} is still the one that started at {@code startEpochMillis}.
   *
   * @return true when such a process was found and killed
   */
  public static boolean killLeftover(long pid, long startEpochMillis) {
    Optional<ProcessHandle> process = ProcessHandle.of(pid);
    if (process.isEmpty() || !startedAt(process.get(), startEpochMillis)) {
      return false;
    }
    kill(process.get(), !sessionPrefix(isWindows()).isEmpty());
    return true;
  }

  /**
   * Kills what is left in the cgroups that an earlier agent process created for run {@code
   * invokeId}, which also reaches processes that left the script's session.
   *
   * @return true when such a process was found and killed
   */
  public static boolean killLeftoverCgroups(String invokeId) {
    return RunContainers.killLeftoverCgroups(RunContainers.cgroupParent(), invokeId);
  }

  /** Returns the process's start time in epoch milliseconds, or -1 when the OS does not tell. */
  public static long startEpochMillis(ProcessHandle process) {
    return process.info().startInstant().map(Instant::toEpochMilli).orElse(-1L);
  }

  private static boolean startedAt(ProcessHandle process, long startEpochMillis) {
    return startEpochMillis >= 0 && startEpochMillis(process) == startEpochMillis;
  }

  private static boolean isWindows() {
    return OsType.current() == OsType.Windows;
  }

  private static void killGroup(long groupId) {
    // The shell's built-in kill accepts a negative pid for a group and needs no procps package.
    ProcessBuilder builder =
        new ProcessBuilder("/bin/sh", "-c", "kill -KILL -- -" + groupId + " 2>/dev/null")
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD);
    try {
      Process kill = builder.start();
      if (!kill.waitFor(5, TimeUnit.SECONDS)) {
        kill.destroyForcibly();
        LOG.warn("kill of process group {} did not finish within 5 s", groupId);
      }
    } catch (IOException e) {
      LOG.warn("kill of process group {} failed to start", groupId, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
