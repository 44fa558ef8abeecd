package io.deskrun.server.invocation;

import io.deskrun.protocol.TargetStatus;

/** A target as RunCommand classified it, before it is stored. */
record NewTarget(String desktopId, String desktopName, TargetStatus status, String errorCode) {}
