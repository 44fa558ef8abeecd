package io.deskrun.agent;

import io.deskrun.agent.exec.ProcessTree;
import io.deskrun.agent.exec.RunReports;
import io.deskrun.agent.exec.RunSettings;
import io.deskrun.agent.exec.ScriptRun;
import io.deskrun.agent.journal.Journal;
import io.deskrun.protocol.RunReport;
import io.deskrun.protocol.Task;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts the tasks a poll returns, at most once each and at most {@code maxRuns} at a time, stops
 * runs on request and stores each final result in the journal before it is sent.
 */
final class RunDispatcher {
  private static final Logger LOG = LoggerFactory.getLogger(RunDispatcher.class);

  private static final Duration PROGRESS_FINISH_TIMEOUT = Duration.ofSeconds(5);

  private final Journal journal;
  private final RunSettings settings;
  private final int maxRuns;
  private final ProgressSender progress;
  private final Runnable resultStored;
  private final Map<String, ScriptRun> running = new ConcurrentHashMap<>();
  private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();

  RunDispatcher(
      Journal journal,
      RunSettings settings,
      int maxRuns,
      ProgressSender progress,
      Runnable resultStored) {
    this.journal = journal;
    this.settings = settings;
    this.maxRuns = maxRuns;
    this.progress = progress;
    this.resultStored = resultStored;
  }

  int freeSlots() {
    return Math.max(0, maxRuns - running.size());
  }

  List<String> runningIds() {
    return List.copyOf(running.keySet());
  }

  /** Starts {@code task} unless the journal already has its id or no slot is free. */
  synchronized void launch(Task task) {
    String invokeId = task.invokeId();
    if (journal.contains(invokeId)) {
      // A re-offer of a run that is running or done: never launch it twice.
      LOG.info("run {} offered again and not started a second time", invokeId);
      resultStored.run();
      return;
    }
    if (executor.isShutdown()) {
      LOG.info("run {} not started because the agent is shutting down", invokeId);
      return;
    }
    if (freeSlots() == 0) {
      LOG.warn("run {} not started because all {} slots are busy", invokeId, maxRuns);
      return;
    }
    if (!journalStart(invokeId)) {
      return;
    }

    ScriptRun run =
        new ScriptRun(task, settings).onStart(process -> recordProcess(invokeId, process));
    running.put(invokeId, run);
    LOG.info(
        "run {} on desktop {} starting: {}, timeout {} s",
        invokeId,
        settings.desktopId(),
        task.type(),
        task.timeoutSeconds());
    executor.execute(() -> execute(run));
  }

  /** Asks the run with {@code invokeId} to stop, if it is running here. */
  void stop(String invokeId, ScriptRun.StopReason reason) {
    ScriptRun run = running.get(invokeId);
    if (run != null) {
      LOG.info("run {} on desktop {} stopping: {}", invokeId, settings.desktopId(), reason);
      run.stop(reason);
    }
  }

  /**
   * Starts no more runs, lets the running ones go on for up to {@code grace}, then kills those
   * still running and waits up to {@code killTimeout} for their results to be stored.
   */
  void shutdown(Duration grace, Duration killTimeout) throws InterruptedException {
    synchronized (this) {
      // Under the lock of launch(), so no run is journaled after this point and then dropped.
      executor.shutdown();
    }
    if (!running.isEmpty()) {
      LOG.info(
          "agent of desktop {} stopping: waiting up to {} for runs {} to finish",
          settings.desktopId(),
          grace,
          runningIds());
    }
    if (executor.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS)) {
      return;
    }
    for (String invokeId : runningIds()) {
      stop(invokeId, ScriptRun.StopReason.AGENT_SHUTDOWN);
    }
    if (!executor.awaitTermination(killTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
      LOG.warn("runs {} did not end within {} after the shutdown", runningIds(), killTimeout);
    }
  }

  private boolean journalStart(String invokeId) {
    try {
      return journal.tryStart(invokeId);
    } catch (IOException | IllegalArgumentException e) {
      // Without a journal entry on disk the run could be started twice, so it is not started.
      LOG.error("run {} not started because the journal write failed", invokeId, e);
      return false;
    }
  }

  private void recordProcess(String invokeId, ProcessHandle process) {
    long startEpochMillis = ProcessTree.startEpochMillis(process);
    if (startEpochMillis < 0) {
      // The script exited before its start time could be read, so a later start has nothing to
      // kill, and a pid without a start time could match an unrelated process.
      return;
    }
    try {
      journal.recordProcess(invokeId, process.pid(), startEpochMillis);
    } catch (IOException e) {
      LOG.warn("pid of run {} not written to the journal", invokeId, e);
    }
  }

  private void awaitProgressSent(String invokeId) {
    try {
      progress.finish(invokeId, PROGRESS_FINISH_TIMEOUT);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void execute(ScriptRun run) {
    RunReport result;
    try {
      result = run.run(progress::offer);
    } catch (RuntimeException e) {
      LOG.error("run {} failed inside the agent", run.invokeId(), e);
      result = RunReports.interrupted(run.invokeId());
    }
    LOG.info(
        "run {} on desktop {} ended: {} exit code {}",
        run.invokeId(),
        settings.desktopId(),
        result.status(),
        result.exitCode());

    awaitProgressSent(run.invokeId());
    try {
      journal.storeResult(result);
    } catch (IOException e) {
      LOG.error("result of run {} could not be stored and will be lost", run.invokeId(), e);
    }
    running.remove(run.invokeId());
    resultStored.run();
  }
}
