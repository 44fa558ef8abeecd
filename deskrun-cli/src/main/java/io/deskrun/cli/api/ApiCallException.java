package io.deskrun.cli.api;

/**
 * An error response from the deskrun API, with the fields of its error envelope and the HTTP
 * status. {@link #getMessage()} is the envelope's {@code Message}.
 */
public final class ApiCallException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String code;
  private final String requestId;
  private final int httpStatus;

  public ApiCallException(String code, String message, String requestId, int httpStatus) {
    super(message);
    this.code = code;
    this.requestId = requestId;
    this.httpStatus = httpStatus;
  }

  /** Returns the error code, such as {@code InvalidParameter.Timeout}. */
  public String code() {
    return code;
  }

  /** Returns the server's RequestId of the failed call, or an empty string if it sent none. */
  public String requestId() {
    return requestId;
  }

  public int httpStatus() {
    return httpStatus;
  }
}
