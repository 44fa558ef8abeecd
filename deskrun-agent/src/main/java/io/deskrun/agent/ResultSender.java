package io.deskrun.agent;

import io.deskrun.agent.enroll.Identity;
import io.deskrun.agent.journal.Journal;
import io.deskrun.agent.poll.Backoff;
import io.deskrun.agent.poll.ServerClient;
import io.deskrun.agent.poll.ServerResponseException;
import io.deskrun.protocol.RunReport;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends the final results stored in the journal until the server confirms each with a 2xx, then
 * marks them confirmed. Results survive a restart on disk, so this also delivers results of runs
 * that ended while the server was unreachable or before the agent was killed.
 */
final class ResultSender {
  private static final Logger LOG = LoggerFactory.getLogger(ResultSender.class);
  private static final Duration IDLE_RECHECK = Duration.ofSeconds(30);

  private final ServerClient client;
  private final Identity identity;
  private final Journal journal;
  private final Backoff backoff;
  private final Runnable onCredentialRejected;
  private final Semaphore wakeUp = new Semaphore(0);

  ResultSender(
      ServerClient client,
      Identity identity,
      Journal journal,
      Backoff backoff,
      Runnable onCredentialRejected) {
    this.client = client;
    this.identity = identity;
    this.journal = journal;
    this.backoff = backoff;
    this.onCredentialRejected = onCredentialRejected;
  }

  /** Asks the sender to look for new results now. */
  void wake() {
    wakeUp.release();
  }

  /**
   * Sends results until the thread is interrupted: at once when woken, and after a failed attempt
   * once the back-off delay has passed.
   */
  void run() {
    try {
      while (!Thread.currentThread().isInterrupted()) {
        if (sendAll()) {
          wakeUp.tryAcquire(IDLE_RECHECK.toMillis(), TimeUnit.MILLISECONDS);
        } else {
          // A run that ends meanwhile does not cut the wait short: while the server is away, each
          // of them made the sender try again at once.
          Thread.sleep(backoff.nextDelay());
        }
        wakeUp.drainPermits();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Sends every unconfirmed result once; returns false when the server was unreachable, so the
   * caller waits before the next attempt.
   */
  boolean sendAll() throws InterruptedException {
    for (RunReport report : journal.unconfirmedResults()) {
      if (!send(report)) {
        return false;
      }
    }
    backoff.reset();
    return true;
  }

  private boolean send(RunReport report) throws InterruptedException {
    try {
      client.report(identity, report);
      LOG.info(
          "run {} on desktop {} reported as {}",
          report.invokeId(),
          identity.desktopId(),
          report.status());
      confirm(report);
      return true;
    } catch (ServerResponseException e) {
      return rejected(report, e);
    } catch (IOException e) {
      LOG.warn(
          "result of run {} on desktop {} not sent, will retry: {}",
          report.invokeId(),
          identity.desktopId(),
          e.toString());
      return false;
    }
  }

  private boolean rejected(RunReport report, ServerResponseException e) {
    if (e.isCredentialRejected()) {
      onCredentialRejected.run();
      return false;
    }
    if (e.isRetryable()) {
      LOG.warn(
          "result of run {} on desktop {} not accepted yet, will retry: {}",
          report.invokeId(),
          identity.desktopId(),
          e.getMessage());
      return false;
    }
    // The server returns the same 4xx for the same body, so retrying cannot succeed and would
    // hold up the results queued behind this one.
    LOG.error(
        "result of run {} on desktop {} rejected and discarded: {}",
        report.invokeId(),
        identity.desktopId(),
        e.getMessage());
    confirm(report);
    return true;
  }

  private void confirm(RunReport report) {
    try {
      journal.confirm(report.invokeId());
    } catch (IOException e) {
      LOG.warn("confirmation of run {} not written to the journal", report.invokeId(), e);
    }
  }
}
