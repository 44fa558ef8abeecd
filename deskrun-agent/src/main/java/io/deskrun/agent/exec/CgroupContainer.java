package io.deskrun.agent.exec;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A cgroup (version 2) of its own for one run on Linux, plus a new session as in {@link
 * SessionContainer}. A process that starts its own session or double-forks away still stays in the
 * cgroup, so killing the cgroup reaches it.
 *
 * <p>The process joins the cgroup before the interpreter starts: a small {@code /bin/sh} step
 * writes its own pid to {@code cgroup.procs} and then {@code exec}s {@code setsid} and the
 * interpreter, so the pid stays the same and every child is born inside. If the write fails the run
 * goes on in the session alone.
 */
final class CgroupContainer implements RunContainer {
  private static final Logger LOG = LoggerFactory.getLogger(CgroupContainer.class);

  /** Joins the cgroup whose {@code cgroup.procs} is $1, then runs the remaining arguments. */
  static final String JOIN_SCRIPT = "{ echo $$ > \"$1\"; } 2>/dev/null; shift; exec \"$@\"";

  /** Rounds of killing listed pids when the kernel has no {@code cgroup.kill} (before 5.14). */
  private static final int KILL_ROUNDS = 20;

  private final Path directory;
  private final SessionContainer session = new SessionContainer(false);

  private CgroupContainer(Path directory) {
    this.directory = directory;
  }

  /**
   * Creates the cgroup {@code name} under {@code parent}, or returns empty when the agent may not
   * (no cgroup v2, not root, no delegation).
   */
  static Optional<RunContainer> create(Path parent, String name) {
    Path directory = parent.resolve(name);
    try {
      Files.createDirectory(directory);
    } catch (IOException | UnsupportedOperationException e) {
      LOG.debug("no cgroup for the run: creating {} failed: {}", directory, e.toString());
      return Optional.empty();
    }
    if (!Files.isWritable(directory.resolve("cgroup.procs"))) {
      LOG.debug("no cgroup for the run: {} has no writable cgroup.procs", directory);
      removeQuietly(directory);
      return Optional.empty();
    }
    return Optional.of(new CgroupContainer(directory));
  }

  Path directory() {
    return directory;
  }

  @Override
  public List<String> prefix() {
    List<String> prefix = new ArrayList<>();
    prefix.add("/bin/sh");
    prefix.add("-c");
    prefix.add(JOIN_SCRIPT);
    prefix.add("deskrun-join-cgroup");
    prefix.add(directory.resolve("cgroup.procs").toString());
    prefix.addAll(session.prefix());
    return prefix;
  }

  @Override
  public void attach(Process process) {
    // The process joined the cgroup itself before starting the interpreter.
  }

  @Override
  public void kill(ProcessHandle process) {
    session.kill(process);
    killMembers();
  }

  private void killMembers() {
    Path killFile = directory.resolve("cgroup.kill");
    if (Files.exists(killFile)) {
      writeQuietly(killFile, "1");
      return;
    }
    for (int round = 0; round < KILL_ROUNDS && !members().isEmpty(); round++) {
      members().forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
    }
  }

  /** Removes the cgroup if it is empty; one still holding background programs stays. */
  @Override
  public void close() {
    try {
      Files.deleteIfExists(directory);
    } catch (IOException e) {
      LOG.debug("cgroup {} kept: {}", directory, e.toString());
    }
  }

  /**
   * Kills every process in the cgroup at {@code directory} and removes it once empty.
   *
   * @return true when the cgroup contained a process
   */
  static boolean killAll(Path directory) {
    CgroupContainer cgroup = new CgroupContainer(directory);
    boolean found = !cgroup.members().isEmpty();
    if (found) {
      cgroup.killMembers();
      awaitEmpty(cgroup);
    }
    cgroup.close();
    return found;
  }

  private static void awaitEmpty(CgroupContainer cgroup) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (!cgroup.members().isEmpty() && System.nanoTime() < deadline) {
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** Returns the pids in the cgroup now. */
  List<Long> members() {
    try {
      return Files.readAllLines(directory.resolve("cgroup.procs"), StandardCharsets.US_ASCII)
          .stream()
          .filter(line -> !line.isBlank())
          .map(line -> Long.parseLong(line.strip()))
          .toList();
    } catch (IOException e) {
      return List.of();
    }
  }

  private static void writeQuietly(Path file, String value) {
    try {
      Files.writeString(file, value, StandardCharsets.US_ASCII);
    } catch (IOException e) {
      LOG.warn("writing {} to {} failed", value, file, e);
    }
  }

  static void removeQuietly(Path directory) {
    try {
      Files.deleteIfExists(directory);
    } catch (IOException e) {
      LOG.debug("removing cgroup {} failed: {}", directory, e.toString());
    }
  }
}
