package io.deskrun.protocol;

/** Error body of the agent protocol: a stable code and a sentence for the agent's log. */
public record AgentError(String code, String message) {}
