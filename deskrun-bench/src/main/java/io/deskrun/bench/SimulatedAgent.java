package io.deskrun.bench;

import io.deskrun.protocol.PollRequest;
import io.deskrun.protocol.PollResponse;
import io.deskrun.protocol.RunReport;
import io.deskrun.protocol.ScriptType;
import io.deskrun.protocol.TargetStatus;
import io.deskrun.protocol.Task;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One enrolled desktop that speaks the agent protocol: a first poll that returns at once, then
 * long-polls, and for each task either a real {@code sh -c} process or an immediate synthetic
 * result.
 */
final class SimulatedAgent implements Runnable {
  /** What the agent does with a task. */
  enum Mode {
    /**
     * Runs the script with {@code sh -c} and reports its exit code and output; a run longer than
     * {@link #START_REPORT_DELAY} first sends a Running report, as the real agent does.
     */
    PROCESS,
    /** Reports Success with exit code 0 and {@code hi} at once, for control-plane load. */
    SYNTHETIC
  }

  /** Told when a task arrives, before the agent acts on it, and as it sends the final report. */
  interface DeliveryListener {
    void delivered(String invokeId, long nanoTime);

    void finished(String invokeId, long nanoTime);
  }

  private static final List<ScriptType> SCRIPT_TYPES = List.of(ScriptType.RunShellScript);

  /**
   * How long a run goes before its Running report is sent, as the real agent does: a run that ends
   * sooner sends only its final report.
   */
  static final Duration START_REPORT_DELAY = Duration.ofMillis(200);

  private final int index;
  private final String desktopId;
  private final String credential;
  private final AgentWire wire;
  private final Mode mode;
  private final int waitSeconds;
  private final DeliveryListener listener;
  private final CountDownLatch connected;
  private final AtomicBoolean running;

  SimulatedAgent(
      int index,
      String desktopId,
      String token,
      AgentWire wire,
      Mode mode,
      int waitSeconds,
      DeliveryListener listener,
      CountDownLatch connected,
      AtomicBoolean running) {
    this.index = index;
    this.desktopId = desktopId;
    this.credential = desktopId + ":" + token;
    this.wire = wire;
    this.mode = mode;
    this.waitSeconds = waitSeconds;
    this.listener = listener;
    this.connected = connected;
    this.running = running;
  }

  String desktopId() {
    return desktopId;
  }

  @Override
  public void run() {
    boolean first = true;
    while (running.get()) {
      try {
        PollResponse response = wire.poll(index, credential, pollRequest(first ? 0 : waitSeconds));
        if (first) {
          connected.countDown();
          first = false;
        }
        for (Task task : response.tasks()) {
          listener.delivered(task.invokeId(), System.nanoTime());
          execute(task);
        }
      } catch (BenchException e) {
        pauseAfterFailure();
      }
    }
  }

  private PollRequest pollRequest(int wait) {
    return new PollRequest(10, wait, "bench-" + index, "bench", SCRIPT_TYPES, List.of());
  }

  private void execute(Task task) {
    if (mode == Mode.SYNTHETIC) {
      finalReport(task.invokeId(), TargetStatus.Success, 0L, "hi\n");
      return;
    }
    try {
      Process process =
          new ProcessBuilder("sh", "-c", task.content()).redirectErrorStream(true).start();
      StartReport startReport = new StartReport(task.invokeId());
      String output;
      try (InputStream out = process.getInputStream()) {
        output = new String(out.readAllBytes(), StandardCharsets.UTF_8);
      }
      long exitCode = process.waitFor();
      startReport.cancelOrAwait();
      TargetStatus status = exitCode == 0 ? TargetStatus.Success : TargetStatus.Failed;
      finalReport(task.invokeId(), status, exitCode, output);
    } catch (IOException e) {
      finalReport(task.invokeId(), TargetStatus.Error, null, e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      running.set(false);
    }
  }

  /**
   * The Running report of one run, sent from a virtual thread once the run has lasted {@link
   * #START_REPORT_DELAY}, so that the run's own thread reads the output as a direct launch does.
   */
  private final class StartReport {
    private final CompletableFuture<Void> done = new CompletableFuture<>();
    private final AtomicBoolean due = new AtomicBoolean(true);
    private final Thread timer;

    StartReport(String invokeId) {
      timer = Thread.ofVirtual().start(() -> sendWhenDue(invokeId));
    }

    private void sendWhenDue(String invokeId) {
      try {
        Thread.sleep(START_REPORT_DELAY);
        if (due.compareAndSet(true, false)) {
          sendStartReport(invokeId);
        }
      } catch (InterruptedException e) {
        // Cancelled: the run ended before its report was due.
      } finally {
        done.complete(null);
      }
    }

    /** Stops a report not yet due, or waits for one already being sent. */
    void cancelOrAwait() {
      if (due.compareAndSet(true, false)) {
        timer.interrupt();
      }
      done.join();
    }
  }

  private void finalReport(String invokeId, TargetStatus status, Long exitCode, String output) {
    listener.finished(invokeId, System.nanoTime());
    report(invokeId, status, exitCode, output);
  }

  /** Sends the Running report; like the real agent's progress, it is best effort. */
  private void sendStartReport(String invokeId) {
    try {
      report(invokeId, TargetStatus.Running, null, "");
    } catch (BenchException e) {
      System.err.println("Running report of " + invokeId + " failed: " + e.getMessage());
    }
  }

  private void report(String invokeId, TargetStatus status, Long exitCode, String output) {
    wire.report(
        index, credential, new RunReport(invokeId, status, exitCode, output, 0, null, null));
  }

  private void pauseAfterFailure() {
    try {
      Thread.sleep(200);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      running.set(false);
    }
  }
}
