package io.deskrun.server.invocation;

import io.deskrun.server.dispatch.WakeUps;
import io.deskrun.server.gateway.ApiError;
import io.deskrun.server.gateway.ApiException;
import io.deskrun.server.gateway.ApiRequest;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** StopInvocation: cancels targets not yet started and requests agents to kill running ones. */
final class StopInvocationAction {
  private static final Logger LOG = LoggerFactory.getLogger(StopInvocationAction.class);

  private final InvocationStore store;
  private final Targets targets;
  private final WakeUps wakeUps;

  StopInvocationAction(InvocationStore store, Targets targets, WakeUps wakeUps) {
    this.store = store;
    this.targets = targets;
    this.wakeUps = wakeUps;
  }

  Map<String, Object> handle(ApiRequest request) {
    String invokeId = request.parameters().required("InvokeId");
    List<String> requested =
        List.copyOf(new LinkedHashSet<>(request.parameters().list("DesktopId", 50)));
    store
        .find(request.accountId(), request.regionId(), invokeId)
        .orElseThrow(
            () ->
                new ApiException(
                    ApiError.INVOKE_NOT_FOUND,
                    "Invocation " + invokeId + " does not exist in this account and region."));

    Set<String> targetIds = new LinkedHashSet<>();
    store
        .targetsOf(List.of(invokeId))
        .getOrDefault(invokeId, List.of())
        .forEach(target -> targetIds.add(target.desktopId()));
    for (String desktopId : requested) {
      if (!targetIds.contains(desktopId)) {
        throw ApiException.invalidParameter(
            "DesktopId",
            "Desktop " + desktopId + " is not a target of invocation " + invokeId + ".");
      }
    }
    List<String> toStop = requested.isEmpty() ? List.copyOf(targetIds) : requested;
    targets.requestStop(invokeId, toStop);
    wakeUps.wake(toStop);
    LOG.info(
        "RequestId {}: stop requested for invocation {} on {} desktops",
        request.requestId(),
        invokeId,
        toStop.size());
    return new LinkedHashMap<>();
  }
}
