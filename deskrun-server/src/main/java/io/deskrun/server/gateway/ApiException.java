package io.deskrun.server.gateway;

/**
 * A failure reported to the API caller. {@code code} is usually {@link ApiError#code()}, or a
 * sub-code of it such as {@code InvalidParameter.Timeout} that keeps the parent's status.
 */
public final class ApiException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final ApiError error;
  private final String code;

  public ApiException(ApiError error, String message) {
    this(error, error.code(), message);
  }

  public ApiException(ApiError error, String code, String message) {
    super(message);
    this.error = error;
    this.code = code;
  }

  /** Returns {@code InvalidParameter.<name>} with a message that names the value and the rule. */
  public static ApiException invalidParameter(String name, String message) {
    return new ApiException(ApiError.INVALID_PARAMETER, "InvalidParameter." + name, message);
  }

  /** Returns {@code MissingParameter} for the named parameter. */
  public static ApiException missingParameter(String name) {
    return new ApiException(
        ApiError.MISSING_PARAMETER,
        "The parameter " + name + " is required and must not be empty.");
  }

  public ApiError error() {
    return error;
  }

  public String code() {
    return code;
  }

  public int httpStatus() {
    return error.httpStatus();
  }
}
