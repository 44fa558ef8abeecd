package io.deskrun.protocol;

import java.util.List;

/** First call of a new agent: trades an activation id and code for a desktop id and credential. */
public record EnrollRequest(
    String activationId,
    String activationCode,
    String regionId,
    String hostname,
    OsType osType,
    String agentVersion,
    List<ScriptType> scriptTypes) {}
