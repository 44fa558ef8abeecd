package io.deskrun.cli;

/**
 * Marks a command that runs a service (server, agent, quickstart), which keeps INFO logging. Other
 * commands log only errors, because their output is their result.
 */
interface LongRunningCommand {}
