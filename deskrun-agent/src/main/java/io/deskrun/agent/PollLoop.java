package io.deskrun.agent;

import io.deskrun.agent.enroll.Identity;
import io.deskrun.agent.exec.ScriptRun;
import io.deskrun.agent.poll.Backoff;
import io.deskrun.agent.poll.ServerClient;
import io.deskrun.agent.poll.ServerResponseException;
import io.deskrun.protocol.PollRequest;
import io.deskrun.protocol.PollResponse;
import io.deskrun.protocol.ScriptType;
import io.deskrun.protocol.Task;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps one long-poll open to the server, hands the returned tasks and stop requests to the
 * dispatcher, and backs off while the server is unreachable or returns a 5xx.
 */
final class PollLoop {
  private static final Logger LOG = LoggerFactory.getLogger(PollLoop.class);

  /** Wait used while every slot is busy, so a freed slot is offered to the server soon. */
  private static final int BUSY_WAIT_SECONDS = 5;

  private final ServerClient client;
  private final Identity identity;
  private final RunDispatcher dispatcher;
  private final Backoff backoff;
  private final int waitSeconds;
  private final String hostname;
  private final String agentVersion;
  private final List<ScriptType> scriptTypes;
  private final Runnable onCredentialRejected;
  private int failuresInARow;

  PollLoop(
      ServerClient client,
      Identity identity,
      RunDispatcher dispatcher,
      Backoff backoff,
      AgentConfig config,
      String agentVersion,
      List<ScriptType> scriptTypes,
      Runnable onCredentialRejected) {
    this.client = client;
    this.identity = identity;
    this.dispatcher = dispatcher;
    this.backoff = backoff;
    this.waitSeconds = config.pollWaitSeconds();
    this.hostname = config.hostname();
    this.agentVersion = agentVersion;
    this.scriptTypes = List.copyOf(scriptTypes);
    this.onCredentialRejected = onCredentialRejected;
  }

  /** Polls until the thread is interrupted or the server rejects the credential. */
  void run() {
    try {
      while (!Thread.currentThread().isInterrupted()) {
        if (!pollOnce()) {
          return;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private boolean pollOnce() throws InterruptedException {
    int freeSlots = dispatcher.freeSlots();
    int wait = freeSlots == 0 ? Math.min(BUSY_WAIT_SECONDS, waitSeconds) : waitSeconds;
    PollRequest request =
        new PollRequest(
            freeSlots, wait, hostname, agentVersion, scriptTypes, dispatcher.runningIds());
    try {
      PollResponse response = client.poll(identity, request);
      succeeded();
      handle(response);
      return true;
    } catch (RuntimeException e) {
      // A bug in handling one response must not end polling for good.
      LOG.error("poll of desktop {} failed inside the agent", identity.desktopId(), e);
      Thread.sleep(backoff.nextDelay());
      return true;
    } catch (ServerResponseException e) {
      if (e.isCredentialRejected()) {
        onCredentialRejected.run();
        return false;
      }
      failed(e.getMessage());
      return true;
    } catch (IOException e) {
      failed(e.toString());
      return true;
    }
  }

  private void handle(PollResponse response) {
    if (response.stopInvokeIds() != null) {
      for (String invokeId : response.stopInvokeIds()) {
        dispatcher.stop(invokeId, ScriptRun.StopReason.STOPPED);
      }
    }
    if (response.tasks() != null) {
      for (Task task : response.tasks()) {
        dispatcher.launch(task);
      }
    }
  }

  private void succeeded() {
    if (failuresInARow > 0) {
      LOG.info(
          "poll of desktop {} succeeded again after {} failures",
          identity.desktopId(),
          failuresInARow);
    }
    failuresInARow = 0;
    backoff.reset();
  }

  private void failed(String reason) throws InterruptedException {
    failuresInARow++;
    Duration delay = backoff.nextDelay();
    // Log the first failure and then every tenth, so a long outage does not flood the log.
    if (failuresInARow == 1 || failuresInARow % 10 == 0) {
      LOG.warn(
          "poll of desktop {} failed {} times in a row, next try in {} ms: {}",
          identity.desktopId(),
          failuresInARow,
          delay.toMillis(),
          reason);
    }
    Thread.sleep(delay);
  }
}
