package io.deskrun.agent;

/** A failure the agent cannot recover from by retrying, such as a rejected enrollment. */
public final class AgentException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public AgentException(String message) {
    super(message);
  }

  public AgentException(String message, Throwable cause) {
    super(message, cause);
  }
}
