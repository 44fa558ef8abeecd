package io.deskrun.server.desktop;

/** An enrollment the server rejects, with the agent-protocol error code and HTTP status. */
public final class EnrollmentException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String code;
  private final int httpStatus;

  EnrollmentException(String code, int httpStatus, String message) {
    super(message);
    this.code = code;
    this.httpStatus = httpStatus;
  }

  public String code() {
    return code;
  }

  public int httpStatus() {
    return httpStatus;
  }
}
