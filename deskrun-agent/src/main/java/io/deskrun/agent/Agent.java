package io.deskrun.agent;

/** A running agent: enrolled, polling its server for work, running scripts. */
public final class Agent implements AutoCloseable {
  private Agent() {}

  /**
   * Enrolls when the state dir holds no identity yet (the configuration must then carry an
   * activation id and code), then starts polling in the background and returns. Enrollment errors
   * are raised as {@link AgentException} with the server's message.
   */
  public static Agent start(AgentConfig config) {
    throw new UnsupportedOperationException("contract stub: " + config);
  }

  /** Returns the desktop id this agent enrolled as. */
  public String desktopId() {
    throw new UnsupportedOperationException("contract stub");
  }

  /** Blocks until {@link #close()} is called from another thread or the agent stops by itself. */
  public void awaitTermination() throws InterruptedException {
    throw new UnsupportedOperationException("contract stub");
  }

  /** Stops polling, kills running scripts and records their results. */
  @Override
  public void close() {
    throw new UnsupportedOperationException("contract stub");
  }
}
