package io.deskrun.server.desktop;

import io.deskrun.protocol.OsType;
import io.deskrun.protocol.ScriptType;
import java.util.Set;

/** A registered desktop as the server stores it; times are epoch milliseconds. */
public record Desktop(
    String desktopId,
    String accountId,
    String regionId,
    String activationId,
    String desktopName,
    OsType osType,
    String hostname,
    String agentVersion,
    Set<ScriptType> scriptTypes,
    Long lastHeartbeatAt,
    long createdAt) {}
