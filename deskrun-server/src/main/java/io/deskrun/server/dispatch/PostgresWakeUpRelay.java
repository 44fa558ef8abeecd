package io.deskrun.server.dispatch;

import io.deskrun.server.storage.Database;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries wake-ups between the servers of one PostgreSQL database with LISTEN/NOTIFY. Each server
 * keeps one listening connection outside the pool and opens it again after the database restarts.
 * Because a notification sent while that connection is down is lost, the relay also looks every
 * {@link #RECHECK_INTERVAL} for targets created or stopped since its last look and wakes their
 * desktops, so a missed notification delays a run by at most that interval.
 */
public final class PostgresWakeUpRelay implements WakeUps.Relay, AutoCloseable {
  /** The notification channel. A payload is desktop ids separated by commas. */
  static final String CHANNEL = "deskrun_wake";

  /** How often the relay looks for work whose notification it may have missed. */
  public static final Duration RECHECK_INTERVAL = Duration.ofSeconds(2);

  /** Payload size below PostgreSQL's limit of 8000 bytes, in characters because ids are ASCII. */
  private static final int MAX_PAYLOAD_CHARS = 7000;

  private static final int RECEIVE_TIMEOUT_MILLIS = 1000;
  private static final long LIVENESS_CHECK_MILLIS = 10_000;
  private static final long MAX_RECONNECT_DELAY_MILLIS = 5000;
  private static final long CLOCK_SKEW_MARGIN_MILLIS = 10_000;
  private static final Logger LOG = LoggerFactory.getLogger(PostgresWakeUpRelay.class);

  private final Database database;
  private final WakeUps wakeUps;
  private final InstantSource clock;
  private final Thread listener;
  private final ScheduledExecutorService rechecks =
      Executors.newSingleThreadScheduledExecutor(
          runnable ->
              Thread.ofPlatform().daemon().name("deskrun-wake-recheck").unstarted(runnable));
  private final CountDownLatch firstListen = new CountDownLatch(1);
  private volatile boolean closed;
  private volatile Connection connection;
  private volatile long lastRecheckAt;

  public PostgresWakeUpRelay(Database database, WakeUps wakeUps, InstantSource clock) {
    this.database = database;
    this.wakeUps = wakeUps;
    this.clock = clock;
    this.lastRecheckAt = clock.millis();
    this.listener =
        Thread.ofPlatform().daemon().name("deskrun-wake-listener").unstarted(this::listen);
  }

  /**
   * Starts listening and the periodic re-check; waits up to {@code limit} for the first LISTEN so
   * that a server that has started already hears the others. Returns whether it is listening.
   */
  public boolean start(Duration limit) throws InterruptedException {
    listener.start();
    long interval = RECHECK_INTERVAL.toMillis();
    rechecks.scheduleWithFixedDelay(this::recheckLogged, interval, interval, TimeUnit.MILLISECONDS);
    return firstListen.await(limit.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public void publish(Collection<String> desktopIds) {
    try {
      for (String payload : payloads(desktopIds)) {
        database
            .jdbi()
            .useHandle(
                handle ->
                    handle
                        .createQuery("SELECT pg_notify(:channel, :payload)")
                        .bind("channel", CHANNEL)
                        .bind("payload", payload)
                        .mapTo(String.class)
                        .one());
      }
    } catch (RuntimeException e) {
      // The work is stored, so the other servers' re-check finds it within a few seconds.
      LOG.warn("Could not notify the other servers of {} desktops", desktopIds.size(), e);
    }
  }

  /** Joins the ids with commas into payloads below PostgreSQL's size limit. */
  static List<String> payloads(Collection<String> desktopIds) {
    List<String> payloads = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String desktopId : desktopIds) {
      if (!current.isEmpty() && current.length() + 1 + desktopId.length() > MAX_PAYLOAD_CHARS) {
        payloads.add(current.toString());
        current.setLength(0);
      }
      if (!current.isEmpty()) {
        current.append(',');
      }
      current.append(desktopId);
    }
    if (!current.isEmpty()) {
      payloads.add(current.toString());
    }
    return payloads;
  }

  private void listen() {
    int failures = 0;
    while (!closed) {
      try (Connection opened = database.openDedicatedConnection()) {
        connection = opened;
        try (Statement statement = opened.createStatement()) {
          statement.execute("LISTEN " + CHANNEL);
        }
        if (failures > 0) {
          LOG.info("Listening for wake-ups from the other servers again");
          // Whatever was notified while the connection was down is read again now.
          wakeUps.wakeAll();
        }
        failures = 0;
        firstListen.countDown();
        receive(opened);
      } catch (SQLException | RuntimeException e) {
        if (closed) {
          return;
        }
        failures++;
        LOG.warn(
            "Lost the wake-up listener connection ({}); reconnecting (attempt {})",
            e.getMessage(),
            failures);
        if (!pause(Math.min(MAX_RECONNECT_DELAY_MILLIS, 100L << Math.min(failures, 6)))) {
          return;
        }
      } finally {
        connection = null;
      }
    }
  }

  /** Wakes local polls for each notification until the connection fails or the relay closes. */
  private void receive(Connection opened) throws SQLException {
    PGConnection notifications = opened.unwrap(PGConnection.class);
    long nextLivenessCheck =
        System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(LIVENESS_CHECK_MILLIS);
    while (!closed) {
      PGNotification[] received = notifications.getNotifications(RECEIVE_TIMEOUT_MILLIS);
      if (received != null) {
        for (PGNotification notification : received) {
          wakeUps.wakeLocal(Arrays.asList(notification.getParameter().split(",")));
        }
      }
      if (System.nanoTime() - nextLivenessCheck > 0) {
        // A connection cut without a reset would otherwise wait silently forever.
        if (!opened.isValid(5)) {
          throw new SQLException("the listening connection no longer answers");
        }
        nextLivenessCheck =
            System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(LIVENESS_CHECK_MILLIS);
      }
    }
  }

  private void recheckLogged() {
    try {
      recheck();
    } catch (RuntimeException e) {
      LOG.warn("The wake-up re-check failed; retrying in {}", RECHECK_INTERVAL, e);
    }
  }

  /** Wakes the local polls of desktops with targets created or stopped since the last look. */
  void recheck() {
    long startedAt = clock.millis();
    long since = lastRecheckAt - CLOCK_SKEW_MARGIN_MILLIS;
    List<String> desktopIds =
        database
            .jdbi()
            .withHandle(
                handle ->
                    handle
                        .createQuery(
                            "SELECT desktop_id FROM targets"
                                + " WHERE status = 'Pending' AND created_at > :since"
                                + " UNION SELECT desktop_id FROM targets WHERE stop_time > :since")
                        .bind("since", since)
                        .mapTo(String.class)
                        .list());
    wakeUps.wakeLocal(desktopIds);
    lastRecheckAt = startedAt;
  }

  private boolean pause(long millis) {
    try {
      Thread.sleep(millis);
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  @Override
  public void close() {
    closed = true;
    rechecks.shutdownNow();
    Connection open = connection;
    if (open != null) {
      try {
        open.close();
      } catch (SQLException e) {
        LOG.debug("Closing the listening connection failed", e);
      }
    }
    listener.interrupt();
    try {
      listener.join(5000);
      rechecks.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
