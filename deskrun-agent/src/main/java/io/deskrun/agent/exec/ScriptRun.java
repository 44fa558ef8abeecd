package io.deskrun.agent.exec;

import io.deskrun.agent.state.StateFiles;
import io.deskrun.protocol.AgentProtocol;
import io.deskrun.protocol.ErrorCodes;
import io.deskrun.protocol.RunReport;
import io.deskrun.protocol.TargetStatus;
import io.deskrun.protocol.Task;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One execution of one task: writes the script file, starts the interpreter in a {@link
 * RunContainer} (a Job Object, cgroup or session), reads the merged output, enforces the timeout,
 * honours a stop request and returns the final report. The run ends when the script's own process
 * exits. Background programs it left running after a normal exit are not killed and not waited for.
 */
public final class ScriptRun {
  private static final Logger LOG = LoggerFactory.getLogger(ScriptRun.class);

  /** Maximum timeout accepted, a year, far above the API's maximum of a day. */
  static final long MAX_TIMEOUT_SECONDS = 366L * 24 * 3600;

  /**
   * How long the start report is held back. A run that ends sooner sends only its final report,
   * which saves a round trip per short run and halves the reports of a fan-out of one-line scripts.
   * It is far below the 5 s after which the server offers an unacknowledged task again ({@code
   * AgentChannel.REOFFER_AFTER}), and, as an estimate, longer than most one-line scripts take
   * ({@code echo hi} ends within a few milliseconds).
   */
  static final Duration START_REPORT_DELAY = Duration.ofMillis(200);

  /** Where runs get a cgroup of their own; looked up once, as it does not change while running. */
  private static final Optional<Path> CGROUP_PARENT = RunContainers.cgroupParent();

  private final Task task;
  private final RunSettings settings;
  private final OutputTail output;
  private final CompletableFuture<StopReason> stopRequest = new CompletableFuture<>();
  private volatile Consumer<ProcessHandle> startListener = handle -> {};

  /** The cause of killing a run before its script exited. */
  public enum StopReason {
    /** A StopInvocation from the server: status Terminated. */
    STOPPED,
    /** The agent is shutting down: status Error / ExecutionInterrupted. */
    AGENT_SHUTDOWN
  }

  public ScriptRun(Task task, RunSettings settings) {
    this.task = task;
    this.settings = settings;
    this.output = new OutputTail(AgentProtocol.OUTPUT_LIMIT_BYTES, settings.invalidBytesCharset());
  }

  public String invokeId() {
    return task.invokeId();
  }

  /** Sets the callback that receives the script's process right after it started. */
  public ScriptRun onStart(Consumer<ProcessHandle> listener) {
    this.startListener = listener;
    return this;
  }

  /** Asks the run to kill its process tree; the first reason given wins. Returns at once. */
  public void stop(StopReason reason) {
    stopRequest.complete(reason);
  }

  /**
   * Runs the script and blocks until it ends.
   *
   * @param progress receives the Running reports: none when the script ends within {@link
   *     #START_REPORT_DELAY}; else the start report with the output so far once that delay has
   *     passed, then the current output tail at most {@link RunSettings#progressInterval()} apart
   *     while it changes
   * @return the final report, never with status Running
   */
  public RunReport run(Consumer<RunReport> progress) {
    if (task.timeoutSeconds() < 1 || task.timeoutSeconds() > MAX_TIMEOUT_SECONDS) {
      return RunReports.failedToStart(
          task.invokeId(),
          "timeout must be from 1 to "
              + MAX_TIMEOUT_SECONDS
              + " seconds, got "
              + task.timeoutSeconds());
    }
    Optional<Launcher> launcher = settings.interpreters().launcher(task.type());
    if (launcher.isEmpty()) {
      return RunReports.failedToStart(
          task.invokeId(), "no interpreter for " + task.type() + " on this desktop");
    }
    LaunchPlan plan =
        launcher.get().plan(task.content(), settings.scriptDirectory(), fileStem(task.invokeId()));
    try {
      return runPlan(plan, progress);
    } finally {
      deleteFiles(plan);
    }
  }

  private RunReport runPlan(LaunchPlan plan, Consumer<RunReport> progress) {
    try {
      writeFiles(plan);
    } catch (IOException e) {
      return RunReports.failedToStart(
          task.invokeId(), "writing the script file failed: " + e.getMessage());
    }
    try (RunContainer container =
        RunContainers.open(settings.windows(), CGROUP_PARENT, fileStem(task.invokeId()))) {
      return runInside(container, plan, progress);
    }
  }

  private RunReport runInside(
      RunContainer container, LaunchPlan plan, Consumer<RunReport> progress) {
    List<String> prefix = container.prefix();
    String interpreter = plan.command().getFirst();
    if (!prefix.isEmpty() && !isExecutable(interpreter)) {
      // setsid would start and then fail to run it, which looks like a script exiting with 127.
      return RunReports.failedToStart(
          task.invokeId(), "interpreter " + interpreter + " not found or not executable");
    }

    Process process;
    try {
      process = processBuilder(prefix, plan).start();
    } catch (IOException e) {
      return RunReports.failedToStart(
          task.invokeId(), "starting interpreter " + interpreter + " failed: " + e.getMessage());
    }
    container.attach(process);
    LOG.debug(
        "run {} on desktop {} started as pid {} in {}",
        task.invokeId(),
        settings.desktopId(),
        process.pid(),
        container.getClass().getSimpleName());

    notifyStarted(process.toHandle());
    Thread reader = startReader(process.getInputStream());
    return awaitEnd(process, container, reader, progress);
  }

  private ProcessBuilder processBuilder(List<String> prefix, LaunchPlan plan) {
    List<String> command = new ArrayList<>(prefix);
    command.addAll(plan.command());
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .directory(settings.workingDirectory().toFile())
            .redirectErrorStream(true)
            .redirectInput(ProcessBuilder.Redirect.from(nullDevice()));
    Map<String, String> environment = builder.environment();
    environment.put("DESKRUN_INVOKE_ID", task.invokeId());
    environment.put("DESKRUN_DESKTOP_ID", settings.desktopId());
    return builder;
  }

  /**
   * Waits for the script to exit, a stop request or the timeout, whichever comes first. The start
   * report is part of this wait rather than a timer of its own, so it neither delays the end of a
   * short run nor needs a thread.
   */
  private RunReport awaitEnd(
      Process process, RunContainer container, Thread reader, Consumer<RunReport> progress) {
    long deadline = System.nanoTime() + Duration.ofSeconds(task.timeoutSeconds()).toNanos();
    long nextWait = START_REPORT_DELAY.toNanos();
    // No version is ever -1, so the first report after the delay is sent whatever the output.
    long sentVersion = -1;
    while (true) {
      long remaining = deadline - System.nanoTime();
      waitForExitOrStop(process, Math.min(remaining, nextWait));
      nextWait = settings.progressInterval().toNanos();

      if (!process.isAlive()) {
        drain(reader);
        return RunReports.exited(task.invokeId(), process.exitValue(), output.snapshot());
      }
      if (stopRequest.isDone()) {
        return killed(process, container, reader, stopRequest.join());
      }
      if (deadline - System.nanoTime() <= 0) {
        return killed(process, container, reader, null);
      }

      OutputTail.Snapshot snapshot = output.snapshot();
      if (snapshot.version() != sentVersion) {
        sentVersion = snapshot.version();
        send(progress, RunReports.running(task.invokeId(), snapshot));
      }
    }
  }

  private void waitForExitOrStop(Process process, long nanos) {
    if (nanos <= 0) {
      return;
    }
    try {
      CompletableFuture.anyOf(process.onExit(), stopRequest).get(nanos, TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      // The progress interval passed: the caller sends the output so far.
    } catch (ExecutionException e) {
      throw new IllegalStateException("waiting for pid " + process.pid() + " failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      stop(StopReason.AGENT_SHUTDOWN);
    }
  }

  private RunReport killed(
      Process process, RunContainer container, Thread reader, StopReason reason) {
    boolean interrupted = Thread.interrupted();
    container.kill(process.toHandle());
    awaitKilled(process);
    drain(reader);
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    OutputTail.Snapshot snapshot = output.snapshot();
    LOG.info(
        "run {} on desktop {} killed: {}",
        task.invokeId(),
        settings.desktopId(),
        reason == null ? "timeout" : reason);
    if (reason == null) {
      return RunReports.ended(
          task.invokeId(),
          TargetStatus.Timeout,
          ErrorCodes.EXECUTION_TIMEOUT,
          "the script ran longer than its timeout of " + task.timeoutSeconds() + " s",
          snapshot);
    }
    if (reason == StopReason.STOPPED) {
      return RunReports.ended(
          task.invokeId(), TargetStatus.Terminated, null, "stopped on request", snapshot);
    }
    return RunReports.ended(
        task.invokeId(),
        TargetStatus.Error,
        ErrorCodes.EXECUTION_INTERRUPTED,
        "the agent shut down while the script was running",
        snapshot);
  }

  private static void awaitKilled(Process process) {
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        LOG.warn("pid {} is still alive 5 s after SIGKILL", process.pid());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Waits a bounded time for output still in the pipe. A background program that inherited the pipe
   * keeps it open, so the reader may never finish: it is then left behind and its later output
   * ignored.
   */
  private void drain(Thread reader) {
    boolean interrupted = Thread.interrupted();
    try {
      reader.join(settings.drainTimeout());
    } catch (InterruptedException e) {
      interrupted = true;
    }
    output.close();
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  private Thread startReader(InputStream stream) {
    // A platform thread: a read from a pipe pins a virtual thread's carrier anyway, and a
    // reader left behind by a background program must not keep the JVM alive.
    return Thread.ofPlatform()
        .daemon()
        .name("output-" + task.invokeId())
        .start(() -> readAll(stream));
  }

  private void readAll(InputStream stream) {
    byte[] buffer = new byte[8192];
    try (stream) {
      int count;
      while ((count = stream.read(buffer)) >= 0) {
        output.append(buffer, 0, count);
      }
    } catch (IOException e) {
      LOG.debug("reading the output of run {} ended: {}", task.invokeId(), e.toString());
    }
  }

  private void notifyStarted(ProcessHandle handle) {
    try {
      startListener.accept(handle);
    } catch (RuntimeException e) {
      LOG.warn("start callback of run {} failed", task.invokeId(), e);
    }
  }

  private void send(Consumer<RunReport> progress, RunReport report) {
    try {
      progress.accept(report);
    } catch (RuntimeException e) {
      LOG.warn("progress report of run {} failed", task.invokeId(), e);
    }
  }

  private void writeFiles(LaunchPlan plan) throws IOException {
    StateFiles.createPrivateDirectory(settings.scriptDirectory());
    for (LaunchPlan.ScriptFile file : plan.files()) {
      StateFiles.writePrivate(file.path(), file.bytes());
    }
  }

  private void deleteFiles(LaunchPlan plan) {
    for (LaunchPlan.ScriptFile file : plan.files()) {
      try {
        Files.deleteIfExists(file.path());
      } catch (IOException e) {
        LOG.warn("deleting script file {} of run {} failed", file.path(), task.invokeId(), e);
      }
    }
  }

  private static boolean isExecutable(String command) {
    if (command.contains("/")) {
      return Files.isExecutable(Path.of(command));
    }
    return Interpreters.findOnPath(command, System.getenv("PATH")).isPresent();
  }

  private File nullDevice() {
    return new File(settings.windows() ? "NUL" : "/dev/null");
  }

  /** Returns a file name stem made of the invoke id's safe characters. */
  static String fileStem(String invokeId) {
    return "run-" + invokeId.replaceAll("[^A-Za-z0-9._-]", "_");
  }
}
