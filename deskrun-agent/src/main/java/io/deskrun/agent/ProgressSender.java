package io.deskrun.agent;

import io.deskrun.agent.enroll.Identity;
import io.deskrun.agent.poll.ServerClient;
import io.deskrun.agent.poll.ServerResponseException;
import io.deskrun.protocol.RunReport;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends Running reports without blocking the run that produced them, so a slow or unreachable
 * server cannot delay a timeout. Each run has at most one report in flight. A newer report replaces
 * one still waiting, because every report carries the whole output tail. Progress is best effort: a
 * failed send is not retried.
 */
final class ProgressSender {
  private static final Logger LOG = LoggerFactory.getLogger(ProgressSender.class);

  private final ServerClient client;
  private final Identity identity;

  /** The newest unsent report per invoke id; guarded by this. */
  private final Map<String, RunReport> waiting = new HashMap<>();

  /** Invoke ids that have a sender thread; guarded by this. */
  private final Set<String> sending = new HashSet<>();

  ProgressSender(ServerClient client, Identity identity) {
    this.client = client;
    this.identity = identity;
  }

  /** Queues {@code report} and returns at once. */
  synchronized void offer(RunReport report) {
    String invokeId = report.invokeId();
    waiting.put(invokeId, report);
    if (sending.add(invokeId)) {
      Thread.ofVirtual().name("progress-" + invokeId).start(() -> sendWaiting(invokeId));
    }
  }

  /**
   * Drops the run's report that has not started sending and waits up to {@code timeout} for one in
   * flight, so that no Running report reaches the server after the final one. Dropping it loses
   * nothing, because the final report carries the whole output tail and also ends a target that is
   * still Pending on the server.
   */
  synchronized void finish(String invokeId, Duration timeout) throws InterruptedException {
    waiting.remove(invokeId);
    long deadline = System.nanoTime() + timeout.toNanos();
    while (sending.contains(invokeId)) {
      long remaining = deadline - System.nanoTime();
      if (remaining <= 0) {
        LOG.warn("progress of run {} still being sent after {}", invokeId, timeout);
        return;
      }
      TimeUnit.NANOSECONDS.timedWait(this, remaining);
    }
  }

  private void sendWaiting(String invokeId) {
    while (true) {
      RunReport report;
      synchronized (this) {
        report = waiting.remove(invokeId);
        if (report == null) {
          sending.remove(invokeId);
          notifyAll();
          return;
        }
      }
      send(report);
    }
  }

  private void send(RunReport report) {
    try {
      client.report(identity, report);
    } catch (IOException | ServerResponseException e) {
      LOG.debug(
          "progress of run {} on desktop {} not sent: {}",
          report.invokeId(),
          identity.desktopId(),
          e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
