package io.deskrun.agent.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.deskrun.protocol.RunReport;
import io.deskrun.protocol.TargetStatus;
import io.deskrun.protocol.Task;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunContainersTest {
  @TempDir Path dir;

  @Test
  void cgroup2Mount_hybridMountInfo_unifiedMountPoint() throws Exception {
    Path mountInfo = dir.resolve("mountinfo");
    Files.writeString(
        mountInfo,
        "30 25 0:26 / /sys/fs/cgroup/memory rw,relatime shared:9 - cgroup cgroup rw,memory\n"
            + "35 25 0:31 / /sys/fs/cgroup/unified rw,relatime shared:14 - cgroup2 cgroup2 rw\n");

    assertThat(RunContainers.cgroup2Mount(mountInfo)).contains(Path.of("/sys/fs/cgroup/unified"));
  }

  @Test
  void ownCgroup_v2Line_path() throws Exception {
    Path cgroup = dir.resolve("cgroup");
    Files.writeString(cgroup, "4:memory:/x\n0::/system.slice/deskrun.service\n");

    assertThat(RunContainers.ownCgroup(cgroup)).contains("/system.slice/deskrun.service");
  }

  @Test
  void open_cgroupParentNotWritable_sessionInstead() {
    RunContainer container =
        RunContainers.open(false, Optional.of(dir.resolve("no-such-cgroup")), "run-x");

    assertThat(container).isInstanceOf(SessionContainer.class);
  }

  @Test
  void open_rootWithCgroupV2_cgroupCreatedAndRemovedAfterRun() {
    Optional<Path> parent = RunContainers.cgroupParent();
    assumeTrue(parent.isPresent(), "no writable cgroup v2 for this process (needs root)");

    RunContainer container = RunContainers.open(false, parent, "run-test-" + System.nanoTime());

    assertThat(container).isInstanceOf(CgroupContainer.class);
    Path directory = ((CgroupContainer) container).directory();
    assertThat(directory).isDirectory();
    container.close();
    assertThat(directory).doesNotExist();
  }

  @Test
  void run_processLeavingSessionAndParent_killedThroughCgroup() throws Exception {
    assumeTrue(
        RunContainers.cgroupParent().isPresent(),
        "no writable cgroup v2 for this process (needs root)");
    RunFixture fixture = new RunFixture(dir);
    // The subshell exits at once: sleep 903 then has init as parent and a session of its own,
    // so neither the group kill nor the descendants walk can reach it.
    Task task =
        RunFixture.shellTask("(setsid sleep 903 >/dev/null 2>&1 &)\necho detached\nsleep 904\n", 2);

    RunReport report = fixture.run(task);

    List<ProcessHandle> left =
        RunFixture.awaitNoProcessesOf(task.invokeId(), Duration.ofSeconds(3));
    RunFixture.killAll(task.invokeId());
    assertThat(report.status()).isEqualTo(TargetStatus.Timeout);
    assertThat(report.output()).isEqualTo("detached\n");
    assertThat(left).isEmpty();
  }

  @Test
  void joinScript_cgroupNotWritable_runsCommandWithItsExitCode() throws Exception {
    List<String> command =
        List.of(
            "/bin/sh",
            "-c",
            CgroupContainer.JOIN_SCRIPT,
            "deskrun-join-cgroup",
            dir.resolve("missing/cgroup.procs").toString(),
            "/bin/sh",
            "-c",
            "echo \"$0 ran\"; exit 7");

    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

    assertThat(process.waitFor()).isEqualTo(7);
    assertThat(output).isEqualTo("/bin/sh ran\n");
  }

  @Test
  void run_finishedScript_cgroupRemoved() {
    Optional<Path> parent = RunContainers.cgroupParent();
    assumeTrue(parent.isPresent(), "no writable cgroup v2 for this process (needs root)");
    Task task = RunFixture.shellTask("cat /proc/self/cgroup\n", 10);
    String name = RunContainers.cgroupName(ScriptRun.fileStem(task.invokeId()));

    RunReport report = new RunFixture(dir).run(task);

    assertThat(report.status()).isEqualTo(TargetStatus.Success);
    assertThat(report.output()).contains("0::/" + name + "\n");
    assertThat(parent.get().resolve(name)).doesNotExist();
  }

  @Test
  void killLeftoverCgroups_deadAgentsRun_processKilledAndCgroupRemoved() throws Exception {
    Optional<Path> parent = RunContainers.cgroupParent();
    assumeTrue(parent.isPresent(), "no writable cgroup v2 for this process (needs root)");
    Process finished = new ProcessBuilder("/bin/true").start();
    finished.waitFor();
    String invokeId = "t-leftover" + System.nanoTime();
    Path cgroup =
        parent.get().resolve("deskrun-" + finished.pid() + "-" + ScriptRun.fileStem(invokeId));
    Files.createDirectory(cgroup);
    Process leftover =
        new ProcessBuilder(
                "/bin/sh",
                "-c",
                CgroupContainer.JOIN_SCRIPT,
                "deskrun-join-cgroup",
                cgroup.resolve("cgroup.procs").toString(),
                "/bin/sleep",
                "905")
            .start();
    awaitMember(cgroup);

    boolean killed = ProcessTree.killLeftoverCgroups(invokeId);

    assertThat(killed).isTrue();
    assertThat(leftover.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    assertThat(cgroup).doesNotExist();
  }

  private static void awaitMember(Path cgroup) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (Files.readString(cgroup.resolve("cgroup.procs")).isBlank()
        && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
  }
}
