package io.deskrun.server.invocation;

import io.deskrun.protocol.AgentProtocol;
import io.deskrun.protocol.ErrorCodes;
import io.deskrun.protocol.RunReport;
import io.deskrun.protocol.ScriptType;
import io.deskrun.protocol.TargetStatus;
import io.deskrun.protocol.Task;
import io.deskrun.server.storage.Dialect;
import io.deskrun.server.storage.GroupCommit;
import io.deskrun.server.storage.WriteJournal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * Every state change of a target. Each change is one conditional UPDATE on the expected status, so
 * a repeated or late call, or two servers racing, never moves a target twice or backwards.
 */
public final class Targets {
  private static final int MAX_ERROR_INFO_CHARS = 512;
  private static final String UNFINISHED = "('Pending', 'Running', 'Stopping')";

  private final Jdbi jdbi;
  private final InstantSource clock;
  private final Dialect dialect;

  /** Shares the commits of hand-outs and reports that arrive together. */
  private final GroupCommit writes;

  /** Record of the desktops with nothing to hand out; null on a shared database, always read. */
  private final DeliveryMemory memory;

  public Targets(Jdbi jdbi, InstantSource clock) {
    this(jdbi, clock, Dialect.H2);
  }

  public Targets(Jdbi jdbi, InstantSource clock, Dialect dialect) {
    this.jdbi = jdbi;
    this.clock = clock;
    this.dialect = dialect;
    this.writes = new GroupCommit(jdbi);
    this.memory = dialect.isShared() ? null : new DeliveryMemory();
  }

  /**
   * Records a new invocation's targets: those handed straight to a waiting poll (stored as
   * delivered at {@code deliveredAt}), and those the desktops' next polls must find. Call it before
   * the tasks are handed out and the polls woken.
   */
  void stored(
      String invokeId,
      long deliveredAt,
      Collection<String> handedOutDesktopIds,
      Collection<String> toFind) {
    if (memory == null) {
      return;
    }
    handedOutDesktopIds.forEach(desktopId -> memory.handedOut(desktopId, invokeId, deliveredAt));
    toFind.forEach(memory::changed);
  }

  /** The result of applying an agent's report. */
  public enum ReportOutcome {
    /** The report moved the target or updated its output. */
    APPLIED,
    /** The target exists but is already past this report, so nothing changed. */
    IGNORED,
    /** The desktop has no such target. */
    UNKNOWN_TARGET
  }

  /**
   * Hands out up to {@code max} Pending targets of a desktop, oldest first: those never delivered,
   * and those delivered before {@code reofferAfter} ago without an acknowledgement. Targets older
   * than the delivery window are left to the sweeper. On PostgreSQL the candidates are locked and
   * rows another server is claiming are skipped, so two servers never wait on each other; the
   * conditional UPDATE makes each hand-out happen once on either database.
   */
  public List<Task> claimForDelivery(
      String desktopId, int max, Duration reofferAfter, Duration deliveryWindow) {
    if (max <= 0) {
      return List.of();
    }
    long now = clock.millis();
    long reofferBefore = now - reofferAfter.toMillis();
    long createdAfter = now - deliveryWindow.toMillis();
    if (memory != null && memory.nothingToHandOut(desktopId, now, reofferAfter.toMillis())) {
      return List.of();
    }

    // Most polls find nothing, so they look first without joining the queue of shared writes. A
    // task stored after this look still wakes the poll, which registered before it.
    long version = memory == null ? 0 : memory.versionOf(desktopId);
    boolean anyCandidate =
        !jdbi.withHandle(
                handle -> deliveryCandidates(handle, desktopId, 1, reofferBefore, createdAfter, ""))
            .isEmpty();
    if (!anyCandidate) {
      if (memory != null) {
        memory.foundNothing(desktopId, version, now, reofferBefore);
      }
      return List.of();
    }
    if (memory != null) {
      memory.foundTasks(desktopId);
    }

    String lock = dialect.lockSkippingLocked("t");
    // Volatile: a hand-out lost with a killed server is offered again, and the agent's own journal
    // keeps it from running twice.
    return writes.runVolatile(
        handle -> {
          List<Task> tasks = new ArrayList<>();
          for (Task candidate :
              deliveryCandidates(handle, desktopId, max, reofferBefore, createdAfter, lock)) {
            if (markDelivered(handle, candidate.invokeId(), desktopId, now, reofferBefore)) {
              tasks.add(candidate);
              if (memory != null) {
                memory.handedOut(desktopId, candidate.invokeId(), now);
              }
            }
          }
          return tasks;
        });
  }

  private static List<Task> deliveryCandidates(
      Handle handle,
      String desktopId,
      int max,
      long reofferBefore,
      long createdAfter,
      String lockClause) {
    return handle
        .createQuery(
            "SELECT i.invoke_id, i.command_type, i.command_content, i.timeout_seconds"
                + " FROM targets t JOIN invocations i ON i.invoke_id = t.invoke_id"
                + " WHERE t.desktop_id = :desktop AND t.status = 'Pending'"
                + " AND (t.delivered_at IS NULL OR t.delivered_at <= :reofferBefore)"
                + " AND t.created_at > :createdAfter"
                + " ORDER BY t.created_at, i.invoke_id FETCH FIRST :max ROWS ONLY"
                + lockClause)
        .bind("desktop", desktopId)
        .bind("reofferBefore", reofferBefore)
        .bind("createdAfter", createdAfter)
        .bind("max", max)
        .map(
            (rs, ctx) ->
                new Task(
                    rs.getString("invoke_id"),
                    ScriptType.valueOf(rs.getString("command_type")),
                    rs.getString("command_content"),
                    rs.getLong("timeout_seconds")))
        .list();
  }

  private static boolean markDelivered(
      Handle handle, String invokeId, String desktopId, long now, long reofferBefore) {
    return handle
            .createUpdate(
                "UPDATE targets SET delivered_at = :now WHERE invoke_id = :invoke"
                    + " AND desktop_id = :desktop AND status = 'Pending'"
                    + " AND (delivered_at IS NULL OR delivered_at <= :reofferBefore)")
            .bind("now", now)
            .bind("invoke", invokeId)
            .bind("desktop", desktopId)
            .bind("reofferBefore", reofferBefore)
            .execute()
        == 1;
  }

  /**
   * Applies an agent's report. {@code Running} acknowledges the start (Pending to Running) or
   * updates the output of a Running or Stopping target; a final status ends a Pending, Running or
   * Stopping target. Anything else leaves the target as it is.
   */
  public ReportOutcome applyReport(String desktopId, RunReport report) {
    if (memory != null && (report.status() == TargetStatus.Running || report.status().isFinal())) {
      memory.acknowledged(desktopId, report.invokeId());
    }
    OutputTail tail = OutputTail.of(report.output(), report.dropped());
    long now = clock.millis();
    int updated;
    if (report.status() == TargetStatus.Running) {
      updated = acknowledgeStart(desktopId, report.invokeId(), tail, now);
      if (updated == 0) {
        updated = updateOutput(desktopId, report.invokeId(), tail, now);
      }
    } else if (report.status().isFinal() && isAgentFinalStatus(report.status())) {
      updated = finish(desktopId, report, tail, now);
    } else {
      updated = 0;
    }
    if (updated > 0) {
      return ReportOutcome.APPLIED;
    }
    return exists(desktopId, report.invokeId())
        ? ReportOutcome.IGNORED
        : ReportOutcome.UNKNOWN_TARGET;
  }

  private static boolean isAgentFinalStatus(TargetStatus status) {
    return switch (status) {
      case Success, Failed, Error, Timeout, Cancelled, Terminated -> true;
      default -> false;
    };
  }

  private int acknowledgeStart(String desktopId, String invokeId, OutputTail tail, long now) {
    return writes.runJournaled(
        STARTED, new OutputReport(invokeId, desktopId, tail.text(), tail.dropped(), now));
  }

  private int updateOutput(String desktopId, String invokeId, OutputTail tail, long now) {
    return writes.runJournaled(
        OUTPUT, new OutputReport(invokeId, desktopId, tail.text(), tail.dropped(), now));
  }

  private int finish(String desktopId, RunReport report, OutputTail tail, long now) {
    String errorCode = errorCodeOf(report);
    String errorInfo = report.errorInfo() != null ? report.errorInfo() : ErrorInfos.of(errorCode);
    return writes.runJournaled(
        FINISHED,
        new FinalReport(
            report.invokeId(),
            desktopId,
            report.status(),
            report.exitCode(),
            tail.text(),
            tail.dropped(),
            errorCode,
            truncate(errorInfo),
            now,
            report.status() == TargetStatus.Cancelled ? null : (Long) now));
  }

  /** A start or output report as journaled; {@code now} is the server's time of the report. */
  record OutputReport(String invokeId, String desktopId, String output, long dropped, long now) {}

  /** A final report as journaled, with the error code and start time the server derived. */
  record FinalReport(
      String invokeId,
      String desktopId,
      TargetStatus status,
      Long exitCode,
      String output,
      long dropped,
      String errorCode,
      String errorInfo,
      long now,
      Long startTime) {}

  /** Pending to Running, with the first output and the deadline of the run. */
  static final WriteJournal.Kind<OutputReport> STARTED =
      WriteJournal.Kind.idempotent("target-started", OutputReport.class, Targets::writeStart);

  /** New output of a Running or Stopping target. */
  static final WriteJournal.Kind<OutputReport> OUTPUT =
      WriteJournal.Kind.idempotent("target-output", OutputReport.class, Targets::writeOutput);

  /** The end of a Pending, Running or Stopping target. */
  static final WriteJournal.Kind<FinalReport> FINISHED =
      WriteJournal.Kind.idempotent("target-finished", FinalReport.class, Targets::writeFinish);

  private static int writeStart(Handle handle, OutputReport report) {
    return updateWithOutput(
        handle,
        "UPDATE targets SET status = 'Running', start_time = :now, update_time = :now,"
            + " output = :output, dropped = :dropped, deadline_at = :now + 1000 *"
            + " (SELECT i.timeout_seconds FROM invocations i"
            + " WHERE i.invoke_id = targets.invoke_id)"
            + " WHERE invoke_id = :invoke AND desktop_id = :desktop"
            + " AND status = 'Pending'",
        report);
  }

  /**
   * Stores newer output. Applied again at start, an older report may briefly replace newer output,
   * until the journal's later records are applied too.
   */
  private static int writeOutput(Handle handle, OutputReport report) {
    return updateWithOutput(
        handle,
        "UPDATE targets SET output = :output, dropped = :dropped, update_time = :now"
            + " WHERE invoke_id = :invoke AND desktop_id = :desktop"
            + " AND status IN ('Running', 'Stopping')",
        report);
  }

  /** Runs an UPDATE that takes the report's time, output and target as parameters. */
  private static int updateWithOutput(Handle handle, String sql, OutputReport report) {
    return handle
        .createUpdate(sql)
        .bind("now", report.now())
        .bind("output", report.output())
        .bind("dropped", report.dropped())
        .bind("invoke", report.invokeId())
        .bind("desktop", report.desktopId())
        .execute();
  }

  private static int writeFinish(Handle handle, FinalReport report) {
    return handle
        .createUpdate(
            "UPDATE targets SET status = :status, exit_code = :exitCode,"
                + " output = :output, dropped = :dropped, error_code = :errorCode,"
                + " error_info = :errorInfo, finish_time = :now, update_time = :now,"
                + " start_time = COALESCE(start_time, :startTime)"
                + " WHERE invoke_id = :invoke AND desktop_id = :desktop"
                + " AND status IN "
                + UNFINISHED)
        .bind("status", report.status().name())
        .bind("exitCode", report.exitCode())
        .bind("output", report.output())
        .bind("dropped", report.dropped())
        .bind("errorCode", report.errorCode())
        .bind("errorInfo", report.errorInfo())
        .bind("now", report.now())
        .bind("startTime", report.startTime())
        .bind("invoke", report.invokeId())
        .bind("desktop", report.desktopId())
        .execute();
  }

  /** Fills in the code a final status implies when the agent sent none. */
  private static String errorCodeOf(RunReport report) {
    if (report.errorCode() != null && !report.errorCode().isEmpty()) {
      return report.errorCode();
    }
    return switch (report.status()) {
      case Failed -> ErrorCodes.EXIT_CODE_NONZERO;
      case Timeout -> ErrorCodes.EXECUTION_TIMEOUT;
      case Error -> ErrorCodes.EXECUTION_EXCEPTION;
      default -> null;
    };
  }

  private static String truncate(String text) {
    if (text == null || text.length() <= MAX_ERROR_INFO_CHARS) {
      return text;
    }
    return text.substring(0, MAX_ERROR_INFO_CHARS);
  }

  private boolean exists(String desktopId, String invokeId) {
    return jdbi.withHandle(
        handle ->
            handle
                    .createQuery(
                        "SELECT COUNT(*) FROM targets WHERE invoke_id = :invoke"
                            + " AND desktop_id = :desktop")
                    .bind("invoke", invokeId)
                    .bind("desktop", desktopId)
                    .mapTo(int.class)
                    .one()
                > 0);
  }

  /**
   * Returns the runs the agent must stop. With the agent's list of running ids, those are the
   * listed runs that are no longer Pending or Running on the server: Stopping, ended by the
   * sweeper, cancelled before the start report arrived, or deleted. A Stopping target the agent
   * does not list is left out, so an agent that has already ended it does not get the stop again on
   * every poll. Without a list ({@code null}), all of the desktop's Stopping targets are returned.
   */
  public List<String> stopIdsFor(String desktopId, Collection<String> runningInvokeIds) {
    if (runningInvokeIds == null) {
      return jdbi.withHandle(handle -> stoppingIds(handle, desktopId));
    }
    if (runningInvokeIds.isEmpty()) {
      return List.of();
    }
    return jdbi.withHandle(
        handle -> {
          Set<String> stillRunning =
              new LinkedHashSet<>(runningIds(handle, desktopId, runningInvokeIds));
          return runningInvokeIds.stream()
              .filter(invokeId -> !stillRunning.contains(invokeId))
              .distinct()
              .toList();
        });
  }

  private static List<String> stoppingIds(Handle handle, String desktopId) {
    return handle
        .createQuery(
            "SELECT invoke_id FROM targets WHERE desktop_id = :desktop AND status = 'Stopping'")
        .bind("desktop", desktopId)
        .mapTo(String.class)
        .list();
  }

  /** Returns which of the ids are Pending or Running here (Pending: the start report is late). */
  private static List<String> runningIds(
      Handle handle, String desktopId, Collection<String> invokeIds) {
    return handle
        .createQuery(
            "SELECT invoke_id FROM targets WHERE desktop_id = :desktop"
                + " AND status IN ('Pending', 'Running') AND invoke_id IN (<ids>)")
        .bind("desktop", desktopId)
        .bindList("ids", List.copyOf(invokeIds))
        .mapTo(String.class)
        .list();
  }

  /**
   * Stops targets of an invocation: Pending ones become Cancelled, Running ones Stopping. Final and
   * already Stopping targets are left as they are.
   */
  public void requestStop(String invokeId, Collection<String> desktopIds) {
    long now = clock.millis();
    // Through the shared transactions, so that on this server a stop never runs next to a batch
    // of reports that locks the same rows in another order.
    writes.run(
        handle -> {
          handle
              .createUpdate(
                  "UPDATE targets SET status = 'Cancelled', stop_time = :now,"
                      + " finish_time = :now, update_time = :now"
                      + " WHERE invoke_id = :invoke AND desktop_id IN (<desktops>)"
                      + " AND status = 'Pending'")
              .bind("now", now)
              .bind("invoke", invokeId)
              .bindList("desktops", List.copyOf(desktopIds))
              .execute();
          handle
              .createUpdate(
                  "UPDATE targets SET status = 'Stopping', stop_time = :now, update_time = :now"
                      + " WHERE invoke_id = :invoke AND desktop_id IN (<desktops>)"
                      + " AND status = 'Running'")
              .bind("now", now)
              .bind("invoke", invokeId)
              .bindList("desktops", List.copyOf(desktopIds))
              .execute();
          return null;
        });
  }

  /** Cancels every Pending target of a desktop (used when it is deregistered). */
  public int cancelPendingOf(String desktopId) {
    long now = clock.millis();
    return writes.run(
        handle ->
            handle
                .createUpdate(
                    "UPDATE targets SET status = 'Cancelled', stop_time = :now,"
                        + " finish_time = :now, update_time = :now"
                        + " WHERE desktop_id = :desktop AND status = 'Pending'")
                .bind("now", now)
                .bind("desktop", desktopId)
                .execute());
  }

  /** Aborts Pending targets created longer ago than the delivery window; returns how many. */
  public int abortUndelivered(Duration deliveryWindow) {
    long now = clock.millis();
    return jdbi.withHandle(
        handle ->
            handle
                .createUpdate(
                    "UPDATE targets SET status = 'Aborted', error_code = :code,"
                        + " error_info = :info, finish_time = :now, update_time = :now"
                        + " WHERE status = 'Pending' AND created_at <= :cutoff")
                .bind("code", ErrorCodes.DELIVERY_TIMEOUT)
                .bind("info", ErrorInfos.of(ErrorCodes.DELIVERY_TIMEOUT))
                .bind("now", now)
                .bind("cutoff", now - deliveryWindow.toMillis())
                .execute());
  }

  /**
   * Ends with Error/ClientNotResponse the Running and Stopping targets whose deadline (start plus
   * Timeout) passed more than {@code grace} ago and whose agent sent nothing for {@code grace}.
   */
  public int failSilentRuns(Duration grace) {
    long now = clock.millis();
    long cutoff = now - grace.toMillis();
    return jdbi.withHandle(
        handle ->
            handle
                .createUpdate(
                    "UPDATE targets SET status = 'Error', error_code = :code,"
                        + " error_info = :info, finish_time = :now, update_time = :now"
                        + " WHERE status IN ('Running', 'Stopping') AND deadline_at <= :cutoff"
                        + " AND update_time <= :cutoff")
                .bind("code", ErrorCodes.CLIENT_NOT_RESPONSE)
                .bind("info", ErrorInfos.of(ErrorCodes.CLIENT_NOT_RESPONSE))
                .bind("now", now)
                .bind("cutoff", cutoff)
                .execute());
  }

  /** Returns the status of one target, for tests and diagnostics. */
  public Optional<TargetStatus> statusOf(String invokeId, String desktopId) {
    return jdbi.withHandle(
        handle ->
            handle
                .createQuery(
                    "SELECT status FROM targets WHERE invoke_id = :invoke AND desktop_id = :desktop")
                .bind("invoke", invokeId)
                .bind("desktop", desktopId)
                .mapTo(String.class)
                .findOne()
                .map(TargetStatus::valueOf));
  }

  /** The retained output of a report: at most the protocol's limit, cut at the front. */
  record OutputTail(String text, long dropped) {
    static OutputTail of(String output, long dropped) {
      String text = output == null ? "" : output;
      byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
      int excess = bytes.length - AgentProtocol.OUTPUT_LIMIT_BYTES;
      if (excess <= 0) {
        return new OutputTail(text, Math.max(0, dropped));
      }
      int start = excess;
      while (start < bytes.length && (bytes[start] & 0xC0) == 0x80) {
        start++;
      }
      String kept = new String(bytes, start, bytes.length - start, StandardCharsets.UTF_8);
      return new OutputTail(kept, Math.max(0, dropped) + start);
    }
  }
}
