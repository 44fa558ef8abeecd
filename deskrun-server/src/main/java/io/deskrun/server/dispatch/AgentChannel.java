package io.deskrun.server.dispatch;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.deskrun.protocol.AgentError;
import io.deskrun.protocol.AgentProtocol;
import io.deskrun.protocol.EnrollRequest;
import io.deskrun.protocol.EnrollResponse;
import io.deskrun.protocol.PollRequest;
import io.deskrun.protocol.PollResponse;
import io.deskrun.protocol.RunReport;
import io.deskrun.protocol.Task;
import io.deskrun.server.desktop.Desktop;
import io.deskrun.server.desktop.DesktopRegistry;
import io.deskrun.server.desktop.Enrollment;
import io.deskrun.server.desktop.EnrollmentException;
import io.deskrun.server.invocation.Targets;
import io.deskrun.server.support.JsonMappers;
import io.deskrun.server.support.RateLimiter;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent protocol on {@code /agent/v1}: enroll, long-poll and report, as JSON over HTTP. Every
 * call but enroll authenticates with {@code Authorization: Bearer <desktopId>:<agentToken>}.
 */
public final class AgentChannel implements HttpService {
  /** Code of a missing, malformed or rejected agent credential (HTTP 401). */
  public static final String INVALID_CREDENTIAL = "InvalidCredential";

  /** Code of a body that is not the expected JSON message (HTTP 400). */
  public static final String INVALID_REQUEST = Enrollment.INVALID_REQUEST;

  /** Code of an unexpected server failure (HTTP 500); the agent retries. */
  public static final String INTERNAL_ERROR = "InternalError";

  /** Code of a poll that arrives while the server is stopping (HTTP 503); the agent retries. */
  public static final String SHUTTING_DOWN = "ServiceUnavailable";

  /** Code of a report for a run the desktop does not have (HTTP 404). */
  public static final String TARGET_NOT_FOUND = "InvalidInvokeId.NotFound";

  /** The desktop polls more often than the per-agent poll limit allows. */
  public static final String THROTTLING = "Throttling";

  /**
   * How long a handed-out task waits for the agent's start report before a later poll may offer it
   * again. The agent's journal makes a repeated offer harmless.
   */
  public static final Duration REOFFER_AFTER = Duration.ofSeconds(5);

  /**
   * Maximum size of a request body: a report with 24 KB of output that is all control characters,
   * each escaped in JSON as six bytes, plus room for the other fields.
   */
  public static final long MAX_BODY_BYTES = 256 * 1024;

  /** Maximum tasks handed out by one poll, whatever {@code freeSlots} requests. */
  static final int MAX_TASKS_PER_POLL = 50;

  private static final Logger LOG = LoggerFactory.getLogger(AgentChannel.class);
  private static final String BEARER = "Bearer ";

  private final ObjectMapper json =
      JsonMappers.create().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private final Enrollment enrollment;
  private final DesktopRegistry desktops;
  private final Targets targets;
  private final WakeUps wakeUps;
  private final Duration maxWait;
  private final Duration deliveryWindow;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final RateLimiter pollLimiter;

  public AgentChannel(
      Enrollment enrollment,
      DesktopRegistry desktops,
      Targets targets,
      WakeUps wakeUps,
      Duration maxWait,
      Duration deliveryWindow) {
    this(enrollment, desktops, targets, wakeUps, maxWait, deliveryWindow, RateLimiter.unlimited());
  }

  /**
   * @param pollLimiter the poll rate limit per desktop; a poll over it is answered {@code 429} with
   *     {@code Retry-After}, and the agent's back-off slows it down
   */
  public AgentChannel(
      Enrollment enrollment,
      DesktopRegistry desktops,
      Targets targets,
      WakeUps wakeUps,
      Duration maxWait,
      Duration deliveryWindow,
      RateLimiter pollLimiter) {
    this.pollLimiter = pollLimiter;
    this.enrollment = enrollment;
    this.desktops = desktops;
    this.targets = targets;
    this.wakeUps = wakeUps;
    this.maxWait = maxWait;
    this.deliveryWindow = deliveryWindow;
  }

  @Override
  public void routing(HttpRules rules) {
    rules
        .post(path(AgentProtocol.ENROLL_PATH), guarded(this::enroll))
        .post(path(AgentProtocol.POLL_PATH), guarded(this::poll))
        .post(path(AgentProtocol.REPORT_PATH), guarded(this::report))
        .any(this::unknownPath);
  }

  /**
   * Wraps a handler so that an unexpected failure, such as a lost database connection, is logged
   * once and sent as {@code 500 InternalError} in JSON, a status the agent retries.
   */
  private Handler guarded(Handler handler) {
    return (request, response) -> {
      try {
        handler.handle(request, response);
      } catch (RuntimeException e) {
        LOG.error("{} {} failed", request.prologue().method().text(), request.path().path(), e);
        if (!response.isSent()) {
          sendError(
              response,
              500,
              INTERNAL_ERROR,
              "The server failed to handle the request; retry later.");
        }
      }
    };
  }

  /** Ends open polls with an empty response and answers later polls with 503. */
  public void close() {
    closed.set(true);
    wakeUps.wakeAll();
  }

  private static String path(String fullPath) {
    return fullPath.substring("/agent/v1".length());
  }

  private void enroll(ServerRequest request, ServerResponse response) {
    Optional<EnrollRequest> body = read(request, response, EnrollRequest.class);
    if (body.isEmpty()) {
      return;
    }
    try {
      EnrollResponse enrolled = enrollment.enroll(body.get());
      send(response, Status.OK_200, enrolled);
    } catch (EnrollmentException e) {
      LOG.info(
          "Rejected an enrollment with activation {}: {} ({})",
          body.get().activationId(),
          e.getMessage(),
          e.code());
      sendError(response, e.httpStatus(), e.code(), e.getMessage());
    }
  }

  private void poll(ServerRequest request, ServerResponse response) throws InterruptedException {
    if (closed.get()) {
      // An empty 200 would bring the agent straight back, so it would poll in a tight loop until
      // the listener stops. A 503 makes it back off and retry.
      sendError(response, 503, SHUTTING_DOWN, "The server is shutting down; retry later.");
      return;
    }
    Optional<Desktop> desktop = authenticate(request, response);
    if (desktop.isEmpty()) {
      return;
    }
    String desktopId = desktop.get().desktopId();
    if (throttled(response, desktopId)) {
      return;
    }
    Optional<PollRequest> body = read(request, response, PollRequest.class);
    if (body.isEmpty()) {
      return;
    }
    PollRequest poll = body.get();
    desktops.recordHeartbeat(
        desktop.get(), poll.hostname(), poll.agentVersion(), poll.scriptTypes());
    send(response, Status.OK_200, awaitWork(desktopId, poll));
  }

  /** Answers {@code 429 Throttling} and returns true when the desktop polls too often. */
  private boolean throttled(ServerResponse response, String desktopId) {
    Optional<Duration> wait = pollLimiter.tryAcquire(desktopId);
    if (wait.isEmpty()) {
      return false;
    }
    long seconds = Math.max(1, (wait.get().toMillis() + 999) / 1000);
    LOG.info("Throttled the polls of desktop {} for {} s", desktopId, seconds);
    response.header(HeaderNames.RETRY_AFTER, String.valueOf(seconds));
    sendError(
        response,
        429,
        THROTTLING,
        "Desktop "
            + desktopId
            + " polls more than "
            + pollLimiter.permits()
            + " times a minute; retry after "
            + seconds
            + " s.");
    return true;
  }

  /**
   * Returns tasks and stop requests for the desktop as soon as there are any, or empty lists when
   * the wait ends. The waiter is registered before each database read so no wake-up is lost.
   */
  private PollResponse awaitWork(String desktopId, PollRequest poll) throws InterruptedException {
    long waitMillis = Math.min(Math.max(0, poll.waitSeconds()) * 1000L, maxWait.toMillis());
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMillis);
    int freeSlots = Math.min(Math.max(0, poll.freeSlots()), MAX_TASKS_PER_POLL);
    List<String> running = poll.runningInvokeIds();
    while (true) {
      try (WakeUps.Waiter waiter = wakeUps.register(desktopId, freeSlots)) {
        List<Task> tasks =
            targets.claimForDelivery(desktopId, freeSlots, REOFFER_AFTER, deliveryWindow);
        List<String> stops = targets.stopIdsFor(desktopId, running);
        long remaining = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (!tasks.isEmpty() || !stops.isEmpty() || remaining <= 0 || closed.get()) {
          logHandedOut(desktopId, tasks, stops);
          return new PollResponse(tasks, stops);
        }
        waiter.await(remaining);
        if (!waiter.handedOut().isEmpty()) {
          logHandedOut(desktopId, waiter.handedOut(), List.of());
          return new PollResponse(waiter.handedOut(), List.of());
        }
      }
    }
  }

  private static void logHandedOut(String desktopId, List<Task> tasks, List<String> stops) {
    for (Task task : tasks) {
      LOG.debug("Delivered invocation {} to desktop {}", task.invokeId(), desktopId);
    }
    for (String invokeId : stops) {
      LOG.debug("Asked desktop {} to stop invocation {}", desktopId, invokeId);
    }
  }

  private void report(ServerRequest request, ServerResponse response) {
    Optional<Desktop> desktop = authenticate(request, response);
    if (desktop.isEmpty()) {
      return;
    }
    Optional<RunReport> body = read(request, response, RunReport.class);
    if (body.isEmpty()) {
      return;
    }
    RunReport report = body.get();
    if (report.invokeId() == null || report.status() == null) {
      sendError(response, 400, INVALID_REQUEST, "A report needs invokeId and status.");
      return;
    }
    String desktopId = desktop.get().desktopId();
    Targets.ReportOutcome outcome = targets.applyReport(desktopId, report);
    logReport(desktopId, report, outcome);
    if (outcome == Targets.ReportOutcome.UNKNOWN_TARGET) {
      sendError(
          response,
          404,
          TARGET_NOT_FOUND,
          "Desktop " + desktopId + " has no run of invocation " + report.invokeId() + ".");
      return;
    }
    send(response, Status.OK_200, Map.of());
  }

  private static void logReport(String desktopId, RunReport report, Targets.ReportOutcome outcome) {
    if (report.status().isFinal() && outcome == Targets.ReportOutcome.APPLIED) {
      LOG.info(
          "Invocation {} on desktop {} ended {} (exit code {}, error code {})",
          report.invokeId(),
          desktopId,
          report.status(),
          report.exitCode(),
          report.errorCode());
    } else {
      LOG.debug(
          "Report {} for invocation {} on desktop {}: {}",
          report.status(),
          report.invokeId(),
          desktopId,
          outcome);
    }
  }

  private void unknownPath(ServerRequest request, ServerResponse response) {
    sendError(
        response,
        404,
        "InvalidPath",
        request.prologue().method().text()
            + " "
            + request.path().path()
            + " is not part of the agent protocol.");
  }

  /** Checks the Bearer credential; on failure sends 401 and returns empty. */
  private Optional<Desktop> authenticate(ServerRequest request, ServerResponse response) {
    Optional<String> header = request.headers().first(HeaderNames.AUTHORIZATION);
    Optional<Desktop> desktop = Optional.empty();
    if (header.isPresent() && header.get().startsWith(BEARER)) {
      String credential = header.get().substring(BEARER.length()).strip();
      int colon = credential.indexOf(':');
      if (colon > 0) {
        desktop =
            desktops.authenticate(credential.substring(0, colon), credential.substring(colon + 1));
      }
    }
    if (desktop.isEmpty()) {
      sendError(
          response,
          401,
          INVALID_CREDENTIAL,
          "The agent credential is missing, malformed, or no longer valid (the desktop may have"
              + " been deregistered); send Authorization: Bearer <desktopId>:<agentToken> or"
              + " enroll again.");
    }
    return desktop;
  }

  private <T> Optional<T> read(ServerRequest request, ServerResponse response, Class<T> type) {
    try {
      byte[] bytes =
          request.content().hasEntity() ? request.content().as(byte[].class) : new byte[0];
      return Optional.of(json.readValue(bytes, type));
    } catch (JsonProcessingException e) {
      sendError(
          response,
          400,
          INVALID_REQUEST,
          "The body is not a valid "
              + type.getSimpleName()
              + " JSON message: "
              + e.getOriginalMessage());
      return Optional.empty();
    } catch (java.io.IOException e) {
      sendError(response, 400, INVALID_REQUEST, "The body could not be read: " + e.getMessage());
      return Optional.empty();
    }
  }

  private void send(ServerResponse response, Status status, Object body) {
    try {
      byte[] bytes = json.writeValueAsBytes(body);
      response.status(status);
      response.header(HeaderNames.CONTENT_TYPE, "application/json;charset=utf-8");
      response.send(bytes);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Cannot write " + body.getClass().getSimpleName(), e);
    }
  }

  private void sendError(ServerResponse response, int status, String code, String message) {
    send(response, Status.create(status), new AgentError(code, message));
  }
}
