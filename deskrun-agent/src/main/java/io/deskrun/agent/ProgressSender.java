package io.deskrun.agent;

import io.deskrun.agent.enroll.Identity;
import io.deskrun.agent.poll.ServerClient;
import io.deskrun.agent.poll.ServerResponseException;
import io.deskrun.protocol.RunReport;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
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
  private final Map<String, RunReport> waiting = new ConcurrentHashMap<>();
  private final Map<String, Boolean> sending = new ConcurrentHashMap<>();

  ProgressSender(ServerClient client, Identity identity) {
    this.client = client;
    this.identity = identity;
  }

  /** Queues {@code report} and returns at once. */
  void offer(RunReport report) {
    String invokeId = report.invokeId();
    waiting.put(invokeId, report);
    if (sending.putIfAbsent(invokeId, Boolean.TRUE) == null) {
      Thread.ofVirtual().name("progress-" + invokeId).start(() -> sendWaiting(invokeId));
    }
  }

  private void sendWaiting(String invokeId) {
    while (true) {
      RunReport report = waiting.remove(invokeId);
      if (report == null) {
        sending.remove(invokeId);
        // A report offered between the two calls above would otherwise wait for the next one.
        if (!waiting.containsKey(invokeId) || sending.putIfAbsent(invokeId, Boolean.TRUE) != null) {
          return;
        }
        continue;
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
