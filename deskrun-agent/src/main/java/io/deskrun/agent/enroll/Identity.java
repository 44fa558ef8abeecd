package io.deskrun.agent.enroll;

/** The desktop id and agent token this agent received when it enrolled. */
public record Identity(String desktopId, String agentToken) {
  /** Returns the value of the {@code Authorization} header for the agent protocol. */
  public String authorization() {
    return "Bearer " + desktopId + ":" + agentToken;
  }

  @Override
  public String toString() {
    return "Identity[desktopId=" + desktopId + ", agentToken=(hidden)]";
  }
}
