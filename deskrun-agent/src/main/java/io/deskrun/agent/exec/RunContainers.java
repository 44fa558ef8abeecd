package io.deskrun.agent.exec;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Picks the container for a run: a Job Object on Windows, a cgroup of its own on Linux where the
 * agent can create one, and a new session otherwise.
 */
final class RunContainers {
  private static final Logger LOG = LoggerFactory.getLogger(RunContainers.class);
  private static final String PREFIX = "deskrun-";
  private static final AtomicBoolean SWEPT = new AtomicBoolean();

  private RunContainers() {}

  /**
   * Opens the container for the run with file stem {@code stem}.
   *
   * @param cgroupParent the cgroup under which runs get their own, or empty for none
   */
  static RunContainer open(boolean windows, Optional<Path> cgroupParent, String stem) {
    if (windows) {
      return JobObjectContainer.create().orElseGet(() -> new SessionContainer(true));
    }
    if (cgroupParent.isPresent()) {
      Path parent = cgroupParent.get();
      sweepOnce(parent);
      Optional<RunContainer> cgroup = CgroupContainer.create(parent, cgroupName(stem));
      if (cgroup.isPresent()) {
        return cgroup.get();
      }
    }
    return new SessionContainer(false);
  }

  /**
   * Returns the cgroup's name, which contains this JVM's pid, so a later agent can tell its own
   * from a dead one's.
   */
  static String cgroupName(String stem) {
    return PREFIX + ProcessHandle.current().pid() + "-" + stem;
  }

  /**
   * Returns the cgroup v2 directory of this process when the agent may create cgroups under it, as
   * root usually may, or empty (other systems, cgroup v1 only, no permission).
   */
  static Optional<Path> cgroupParent() {
    try {
      Optional<Path> mount = cgroup2Mount(Path.of("/proc/self/mountinfo"));
      Optional<String> own = ownCgroup(Path.of("/proc/self/cgroup"));
      if (mount.isEmpty() || own.isEmpty()) {
        return Optional.empty();
      }
      Path parent = mount.get().resolve(own.get().substring(1));
      return Files.isWritable(parent) ? Optional.of(parent) : Optional.empty();
    } catch (IOException | RuntimeException e) {
      LOG.debug("no cgroup v2 found: {}", e.toString());
      return Optional.empty();
    }
  }

  /** Returns the mount point of the cgroup2 file system whose root is {@code /}. */
  static Optional<Path> cgroup2Mount(Path mountInfo) throws IOException {
    if (!Files.isReadable(mountInfo)) {
      return Optional.empty();
    }
    for (String line : Files.readAllLines(mountInfo, StandardCharsets.UTF_8)) {
      int separator = line.indexOf(" - ");
      if (separator < 0) {
        continue;
      }
      String[] fields = line.substring(0, separator).split(" ");
      String[] after = line.substring(separator + 3).split(" ");
      if (after[0].equals("cgroup2") && fields.length > 4 && fields[3].equals("/")) {
        return Optional.of(Path.of(fields[4]));
      }
    }
    return Optional.empty();
  }

  /** Returns this process's cgroup v2 path from the {@code 0::} line, such as {@code /}. */
  static Optional<String> ownCgroup(Path cgroupFile) throws IOException {
    if (!Files.isReadable(cgroupFile)) {
      return Optional.empty();
    }
    return Files.readAllLines(cgroupFile, StandardCharsets.UTF_8).stream()
        .filter(line -> line.startsWith("0::/"))
        .map(line -> line.substring(3))
        .findFirst();
  }

  /**
   * Kills what is left in the cgroups of run {@code invokeId} that agent processes no longer
   * running created, and removes those cgroups.
   *
   * @return true when a process was found in such a cgroup
   */
  static boolean killLeftoverCgroups(Optional<Path> cgroupParent, String invokeId) {
    if (cgroupParent.isEmpty()) {
      return false;
    }
    String suffix = "-" + ScriptRun.fileStem(invokeId);
    boolean found = false;
    try (Stream<Path> entries = Files.list(cgroupParent.get())) {
      List<Path> leftovers =
          entries
              .filter(entry -> entry.getFileName().toString().endsWith(suffix))
              .filter(entry -> ownerGone(entry.getFileName().toString()))
              .toList();
      for (Path directory : leftovers) {
        found |= CgroupContainer.killAll(directory);
      }
    } catch (IOException e) {
      LOG.debug("listing cgroups under {} failed: {}", cgroupParent.get(), e.toString());
    }
    return found;
  }

  /** Removes empty cgroups that agents no longer running left behind, once per agent process. */
  private static void sweepOnce(Path parent) {
    if (!SWEPT.compareAndSet(false, true)) {
      return;
    }
    try (Stream<Path> entries = Files.list(parent)) {
      List<Path> stale =
          entries.filter(entry -> ownerGone(entry.getFileName().toString())).toList();
      stale.forEach(CgroupContainer::removeQuietly);
    } catch (IOException e) {
      LOG.debug("listing cgroups under {} failed: {}", parent, e.toString());
    }
  }

  private static boolean ownerGone(String name) {
    if (!name.startsWith(PREFIX)) {
      return false;
    }
    int end = name.indexOf('-', PREFIX.length());
    if (end < 0) {
      return false;
    }
    try {
      long pid = Long.parseLong(name.substring(PREFIX.length(), end));
      return ProcessHandle.of(pid).isEmpty();
    } catch (NumberFormatException e) {
      return false;
    }
  }
}
