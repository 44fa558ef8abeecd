package io.deskrun.bench;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Against a peer: {@code ansible} running the same {@code echo hi} on 50 inventory hosts with the
 * local connection and 50 forks, next to deskrun on 50 desktops; skipped when ansible is absent.
 */
final class AnsibleScenario {
  private static final int HOSTS = Plan.FAN_OUT;

  private final ServerProcess server;
  private final List<String> desktops;
  private final Path workDir;
  private final Plan plan;
  private final Report report;

  AnsibleScenario(
      ServerProcess server, List<String> desktops, Path workDir, Plan plan, Report report) {
    this.server = server;
    this.desktops = desktops;
    this.workDir = workDir;
    this.plan = plan;
    this.report = report;
  }

  void run() throws IOException {
    Optional<Path> ansible = findOnPath("ansible");
    if (ansible.isEmpty()) {
      report.note(
          "Ansible scenario skipped: no `ansible` on PATH (install it with `apt-get install -y"
              + " ansible`).");
      report.figure("ansible.skipped", 1);
      return;
    }
    System.out.println("ansible: `echo hi` on 50 local hosts, forks 50, vs deskrun on 50 desktops");
    List<String> command = command(ansible.get());
    Samples peer = new Samples();
    Samples deskrun = new Samples();
    for (int i = 0; i < plan.ansibleWarmUp(); i++) {
      runAnsible(command);
      Invocations.runAndWait(server.api(), desktops, Invocations.SCRIPT);
    }
    double cpu = 0;
    for (int i = 0; i < plan.ansibleRepetitions(); i++) {
      peer.add(runAnsible(command));
      double before = server.cpuSeconds();
      deskrun.add(Invocations.runAndWait(server.api(), desktops, Invocations.SCRIPT));
      cpu += server.cpuSeconds() - before;
    }
    record(peer, deskrun, cpu);
  }

  private void record(Samples peer, Samples deskrun, double cpu) {
    double ratio = peer.median() / deskrun.median();
    report.figure("ansible.skipped", 0);
    report.samples("ansible.ansible", peer);
    report.samples("ansible.deskrun", deskrun);
    report.figure("ansible.speedup_median", ratio);
    report.figure("ansible.server_cpu_s", cpu);
    String met = report.target("ansible", ratio >= 20);
    report.row(
        new Report.Row(
            "vs Ansible, `echo hi` on 50 hosts (" + peer.count() + " runs)",
            Report.ms(deskrun),
            Report.ms(peer) + " (ansible, local, forks 50)",
            Report.number(ratio) + " × faster (medians)",
            "≥ 20 × faster",
            met,
            Report.number(cpu) + " s"));
    System.out.printf(
        "  ansible %s, deskrun %s, deskrun %.1f × faster%n",
        Report.ms(peer), Report.ms(deskrun), ratio);
  }

  private List<String> command(Path ansible) throws IOException {
    Path dir = Files.createDirectories(workDir.resolve("ansible"));
    StringBuilder inventory = new StringBuilder("[bench]\n");
    for (int i = 1; i <= HOSTS; i++) {
      inventory.append(String.format("host%02d%n", i));
    }
    inventory
        .append("[bench:vars]\n")
        .append("ansible_connection=local\n")
        .append("ansible_python_interpreter=")
        .append(findOnPath("python3").map(Path::toString).orElse("python3"))
        .append('\n');
    Path file = dir.resolve("inventory.ini");
    Files.writeString(file, inventory, StandardCharsets.UTF_8);
    return List.of(
        ansible.toString(),
        "bench",
        "-i",
        file.toString(),
        "-f",
        String.valueOf(HOSTS),
        "-m",
        "shell",
        "-a",
        Invocations.SCRIPT);
  }

  /** Runs ansible to its end and returns the elapsed ms; a failure on any host throws. */
  private double runAnsible(List<String> command) throws IOException {
    Path dir = workDir.resolve("ansible");
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("ansible.log").toFile());
    Map<String, String> env = builder.environment();
    env.put("ANSIBLE_HOME", dir.resolve("home").toString());
    env.put("ANSIBLE_LOCAL_TEMP", dir.resolve("tmp").toString());
    env.put("ANSIBLE_REMOTE_TMP", dir.resolve("remote-tmp").toString());
    env.put("ANSIBLE_HOST_KEY_CHECKING", "False");
    long start = System.nanoTime();
    Process process = builder.start();
    try {
      if (!process.waitFor(300, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new BenchException("ansible did not finish in 300 s");
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new BenchException("Interrupted while ansible ran", e);
    }
    double elapsed = (System.nanoTime() - start) / 1e6;
    if (process.exitValue() != 0) {
      throw new BenchException(
          "ansible exited with " + process.exitValue() + "; see " + dir.resolve("ansible.log"));
    }
    return elapsed;
  }

  static Optional<Path> findOnPath(String name) {
    String path = System.getenv().getOrDefault("PATH", "");
    for (String dir : path.split(File.pathSeparator)) {
      if (dir.isEmpty()) {
        continue;
      }
      Path candidate = Path.of(dir, name);
      if (Files.isExecutable(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }
}
