package io.deskrun.server.invocation;

import io.deskrun.protocol.ErrorCodes;
import io.deskrun.protocol.ScriptType;
import io.deskrun.protocol.TargetStatus;
import io.deskrun.protocol.Task;
import io.deskrun.server.desktop.Desktop;
import io.deskrun.server.desktop.DesktopRegistry;
import io.deskrun.server.dispatch.WakeUps;
import io.deskrun.server.gateway.ApiError;
import io.deskrun.server.gateway.ApiException;
import io.deskrun.server.gateway.ApiRequest;
import io.deskrun.server.gateway.Parameters;
import io.deskrun.server.support.Ids;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** RunCommand: validates, classifies each desktop as a target, stores, and wakes the agents. */
final class RunCommandAction {
  static final int MAX_DESKTOPS = 50;
  static final long DEFAULT_TIMEOUT_SECONDS = 60;
  static final long MAX_TIMEOUT_SECONDS = 86_400;

  /** Order of the reasons in the message of InvalidDesktop.Unavailable. */
  private static final List<String> REASON_ORDER =
      List.of(
          ErrorCodes.INSTANCE_NOT_EXISTS,
          ErrorCodes.CLIENT_NOT_RUNNING,
          ErrorCodes.COMMAND_NOT_APPLICABLE);

  private static final Logger LOG = LoggerFactory.getLogger(RunCommandAction.class);

  private final InvocationStore store;
  private final Targets targets;
  private final DesktopRegistry desktops;
  private final WakeUps wakeUps;
  private final InstantSource clock;
  private final Duration heartbeatWindow;

  RunCommandAction(
      InvocationStore store,
      Targets targets,
      DesktopRegistry desktops,
      WakeUps wakeUps,
      InstantSource clock,
      Duration heartbeatWindow) {
    this.store = store;
    this.targets = targets;
    this.desktops = desktops;
    this.wakeUps = wakeUps;
    this.clock = clock;
    this.heartbeatWindow = heartbeatWindow;
  }

  Map<String, Object> handle(ApiRequest request) {
    Parameters parameters = request.parameters();
    String typeName = parameters.required("Type");
    String content = parameters.required("CommandContent");
    List<String> desktopIds = desktopIds(parameters);
    ScriptType type = scriptType(typeName);
    String script =
        CommandContent.decode(content, parameters.optional("ContentEncoding").orElse(null));
    long timeout =
        parameters.optionalLong("Timeout", 1, MAX_TIMEOUT_SECONDS).orElse(DEFAULT_TIMEOUT_SECONDS);
    checkEndUserId(parameters);

    List<NewTarget> classified = classify(request, desktopIds, type);
    checkAnyPending(classified);
    long createdAt = clock.millis();
    String invokeId = Ids.invokeId(createdAt);
    List<String> pending = pendingDesktopIds(classified);
    Map<String, WakeUps.Reservation> waitingPolls = reserveWaitingPolls(pending);
    try {
      store.insert(
          new InvocationStore.NewInvocation(
              invokeId,
              request.accountId(),
              request.regionId(),
              type,
              script,
              null,
              timeout,
              createdAt),
          classified,
          waitingPolls.keySet());
    } catch (RuntimeException e) {
      waitingPolls.values().forEach(WakeUps.Reservation::release);
      throw e;
    }
    Task task = new Task(invokeId, type, script, timeout);
    List<String> others = new ArrayList<>(pending);
    others.removeAll(waitingPolls.keySet());
    targets.stored(invokeId, createdAt, waitingPolls.keySet(), others);
    waitingPolls.values().forEach(poll -> poll.deliver(List.of(task)));
    wakeUps.wake(others);
    LOG.info(
        "RequestId {}: created invocation {} ({}, {} targets, {} pending)",
        request.requestId(),
        invokeId,
        type,
        classified.size(),
        pending.size());

    Map<String, Object> response = new LinkedHashMap<>();
    response.put("InvokeId", invokeId);
    return response;
  }

  /**
   * Takes the polls waiting in this server for these desktops, so that their tasks go straight to
   * them. The desktops without such a poll are woken once the invocation is stored.
   */
  private Map<String, WakeUps.Reservation> reserveWaitingPolls(List<String> desktopIds) {
    Map<String, WakeUps.Reservation> reserved = new LinkedHashMap<>();
    for (String desktopId : desktopIds) {
      wakeUps.reserve(desktopId).ifPresent(poll -> reserved.put(desktopId, poll));
    }
    return reserved;
  }

  private static List<String> desktopIds(Parameters parameters) {
    List<String> ids = parameters.list("DesktopId", MAX_DESKTOPS);
    if (ids.isEmpty()) {
      throw ApiException.missingParameter("DesktopId.N");
    }
    return List.copyOf(new LinkedHashSet<>(ids));
  }

  private static ScriptType scriptType(String typeName) {
    return ScriptType.fromApiName(typeName)
        .orElseThrow(
            () ->
                ApiException.invalidParameter(
                    "Type",
                    "Type \""
                        + typeName
                        + "\" is not supported; use one of "
                        + Arrays.stream(ScriptType.values())
                            .map(Enum::name)
                            .collect(Collectors.joining(", "))
                        + "."));
  }

  private static void checkEndUserId(Parameters parameters) {
    parameters
        .optional("EndUserId")
        .ifPresent(
            endUserId -> {
              throw ApiException.invalidParameter(
                  "EndUserId",
                  "EndUserId \""
                      + endUserId
                      + "\" is not supported by this server: scripts run as the agent's user."
                      + " Leave EndUserId empty.");
            });
  }

  private List<NewTarget> classify(ApiRequest request, List<String> desktopIds, ScriptType type) {
    Map<String, Desktop> known =
        desktops.findAll(request.accountId(), request.regionId(), desktopIds);
    long onlineAfter = clock.millis() - heartbeatWindow.toMillis();
    List<NewTarget> targets = new ArrayList<>();
    for (String desktopId : desktopIds) {
      Desktop desktop = known.get(desktopId);
      if (desktop == null) {
        targets.add(
            new NewTarget(desktopId, null, TargetStatus.Invalid, ErrorCodes.INSTANCE_NOT_EXISTS));
      } else if (desktop.lastHeartbeatAt() == null || desktop.lastHeartbeatAt() <= onlineAfter) {
        targets.add(failed(desktop, TargetStatus.Aborted, ErrorCodes.CLIENT_NOT_RUNNING));
      } else if (!desktop.scriptTypes().contains(type)) {
        targets.add(failed(desktop, TargetStatus.Invalid, ErrorCodes.COMMAND_NOT_APPLICABLE));
      } else {
        targets.add(new NewTarget(desktopId, desktop.desktopName(), TargetStatus.Pending, null));
      }
    }
    return targets;
  }

  private static NewTarget failed(Desktop desktop, TargetStatus status, String errorCode) {
    return new NewTarget(desktop.desktopId(), desktop.desktopName(), status, errorCode);
  }

  private static void checkAnyPending(List<NewTarget> targets) {
    if (!pendingDesktopIds(targets).isEmpty()) {
      return;
    }
    Map<String, Long> reasons = new LinkedHashMap<>();
    for (String reason : REASON_ORDER) {
      long count = targets.stream().filter(target -> reason.equals(target.errorCode())).count();
      if (count > 0) {
        reasons.put(reason, count);
      }
    }
    if (reasons.keySet().equals(java.util.Set.of(ErrorCodes.INSTANCE_NOT_EXISTS))) {
      throw new ApiException(
          ApiError.DESKTOP_NOT_FOUND,
          "None of the "
              + targets.size()
              + " desktops exists in this account and region: "
              + targets.stream().map(NewTarget::desktopId).collect(Collectors.joining(", "))
              + ".");
    }
    throw new ApiException(
        ApiError.DESKTOP_UNAVAILABLE,
        "No desktop can run the command: "
            + reasons.entrySet().stream()
                .map(entry -> entry.getValue() + " " + describe(entry.getKey()))
                .collect(Collectors.joining(", "))
            + ".");
  }

  private static String describe(String errorCode) {
    return switch (errorCode) {
      case ErrorCodes.INSTANCE_NOT_EXISTS -> "not found (InstanceNotExists)";
      case ErrorCodes.CLIENT_NOT_RUNNING -> "with the agent offline (ClientNotRunning)";
      case ErrorCodes.COMMAND_NOT_APPLICABLE ->
          "whose agent cannot run this Type (CommandNotApplicable)";
      default -> errorCode;
    };
  }

  private static List<String> pendingDesktopIds(List<NewTarget> targets) {
    return targets.stream()
        .filter(target -> target.status() == TargetStatus.Pending)
        .map(NewTarget::desktopId)
        .toList();
  }
}
