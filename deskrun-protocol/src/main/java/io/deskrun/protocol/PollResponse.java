package io.deskrun.protocol;

import java.util.List;

/** Work for the agent: scripts to start and runs to stop; both empty when the wait ended. */
public record PollResponse(List<Task> tasks, List<String> stopInvokeIds) {}
