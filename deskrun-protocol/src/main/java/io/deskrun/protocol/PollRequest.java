package io.deskrun.protocol;

import java.util.List;

/**
 * A long-poll for work. {@code freeSlots} caps how many tasks the server may hand out; {@code
 * runningInvokeIds} lists the runs the agent is executing now, so the server can tell it which of
 * them to stop.
 */
public record PollRequest(
    int freeSlots,
    int waitSeconds,
    String hostname,
    String agentVersion,
    List<ScriptType> scriptTypes,
    List<String> runningInvokeIds) {}
