package io.deskrun.server;

import io.deskrun.server.account.DatabaseNonceRegistry;
import io.deskrun.server.invocation.InvocationActions;
import io.deskrun.server.invocation.Targets;
import io.deskrun.server.storage.Database;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Periodic clean-up that every server runs: aborts undelivered targets, ends runs whose agent went
 * silent past the deadline, deletes expired nonces and deletes old invocations. Each step is a
 * conditional UPDATE or DELETE on the clock, so servers running it at the same time agree.
 */
final class Sweeper implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Sweeper.class);

  /** Advisory lock key under which one server of a shared database sweeps at a time. */
  private static final long SWEEP_LOCK = 0x6465736b72756eL;

  private final ServerConfig config;
  private final Database database;
  private final Targets targets;
  private final DatabaseNonceRegistry nonces;
  private final InvocationActions invocations;
  private final ScheduledExecutorService scheduler =
      Executors.newSingleThreadScheduledExecutor(
          runnable -> Thread.ofPlatform().daemon().name("deskrun-sweeper").unstarted(runnable));

  Sweeper(
      ServerConfig config,
      Database database,
      Targets targets,
      DatabaseNonceRegistry nonces,
      InvocationActions invocations) {
    this.config = config;
    this.database = database;
    this.targets = targets;
    this.nonces = nonces;
    this.invocations = invocations;
  }

  void start() {
    long interval = config.sweepInterval().toMillis();
    scheduler.scheduleWithFixedDelay(this::sweepLogged, interval, interval, TimeUnit.MILLISECONDS);
  }

  private void sweepLogged() {
    try {
      sweep();
    } catch (RuntimeException e) {
      // A failed sweep is retried at the next interval; the schedule must not die with it.
      LOG.warn("Sweep failed; retrying in {} ms", config.sweepInterval().toMillis(), e);
    }
  }

  /**
   * Runs every step once; returns how many rows changed in total. Servers sharing a database take
   * turns, so two sweeps never delete the same invocations at once; a server that finds another
   * sweeping skips this round.
   */
  int sweep() {
    return database.runExclusively(SWEEP_LOCK, this::sweepSteps);
  }

  private int sweepSteps() {
    int aborted = targets.abortUndelivered(config.deliveryWindow());
    int silent = targets.failSilentRuns(config.executionGrace());
    int purged = nonces.purgeExpired();
    int deleted =
        invocations.deleteExpired(
            Duration.ofDays(config.retentionDays()), config.retentionMaxInvocations());
    if (aborted + silent + deleted > 0) {
      LOG.info(
          "Sweep: {} targets aborted (DeliveryTimeout), {} ended (ClientNotResponse),"
              + " {} invocations deleted by retention",
          aborted,
          silent,
          deleted);
    }
    return aborted + silent + purged + deleted;
  }

  @Override
  public void close() {
    scheduler.shutdownNow();
    try {
      scheduler.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
