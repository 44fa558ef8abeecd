package io.deskrun.protocol;

/**
 * Paths and limits of the agent protocol: JSON over HTTP on the server's API port.
 *
 * <p>Every call except enrollment carries {@code Authorization: Bearer <desktopId>:<agentToken>}.
 * Errors come back as a non-2xx status with an {@link AgentError} body.
 */
public final class AgentProtocol {
  /** POST {@link EnrollRequest}, returns {@link EnrollResponse}. */
  public static final String ENROLL_PATH = "/agent/v1/enroll";

  /**
   * POST {@link PollRequest}, returns {@link PollResponse}; held open until work or the wait ends.
   */
  public static final String POLL_PATH = "/agent/v1/poll";

  /** POST {@link RunReport}; idempotent, repeats and late reports change nothing. */
  public static final String REPORT_PATH = "/agent/v1/report";

  /** Most output bytes (UTF-8) kept per target: the tail, cut at a character boundary. */
  public static final int OUTPUT_LIMIT_BYTES = 24 * 1024;

  /** Longest a poll may be held open by the server, in seconds. */
  public static final int MAX_POLL_WAIT_SECONDS = 30;

  private AgentProtocol() {}
}
