package io.deskrun.cli;

/**
 * Marks a command that runs a service (server, agent, quickstart) and so keeps INFO logging; other
 * commands log errors only, because their output is their result.
 */
interface LongRunningCommand {}
