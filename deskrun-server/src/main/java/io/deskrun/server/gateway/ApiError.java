package io.deskrun.server.gateway;

/**
 * Every error code the API returns, with its HTTP status and a hint for the caller. This enum is
 * the one place that ties a failure to its code and status.
 */
public enum ApiError {
  MISSING_PARAMETER("MissingParameter", 400, "Add the named parameter with a non-empty value."),
  INVALID_PARAMETER("InvalidParameter", 400, "Check the named parameter against the rule given."),
  INVALID_ACTION("InvalidAction.NotFound", 404, "Check the Action name and its spelling."),
  INVALID_VERSION("InvalidVersion", 400, "Send Version=2020-09-30."),
  INVALID_REGION("InvalidRegionId.NotFound", 404, "Use a region this server is configured for."),
  INCOMPLETE_SIGNATURE(
      "IncompleteSignature",
      400,
      "Send every signature parameter or x-acs header the scheme needs."),
  INVALID_SIGNATURE_METHOD(
      "InvalidSignatureMethod", 400, "Sign with HMAC-SHA1 (V1) or ACS3-HMAC-SHA256 (V3)."),
  ACCESS_KEY_NOT_FOUND(
      "InvalidAccessKeyId.NotFound", 404, "Check the AccessKeyId; it must exist on this server."),
  ACCESS_KEY_INACTIVE("InvalidAccessKeyId.Inactive", 400, "Enable the AccessKey or use another."),
  SIGNATURE_MISMATCH(
      "SignatureDoesNotMatch",
      400,
      "Check the AccessKeySecret and how the string to sign is built."),
  NONCE_USED("SignatureNonceUsed", 400, "Send a fresh SignatureNonce with every request."),
  TIMESTAMP_EXPIRED(
      "InvalidTimeStamp.Expired", 400, "Sync the client clock; requests are valid for 15 minutes."),
  TIMESTAMP_FORMAT("InvalidTimeStamp.Format", 400, "Send the time as yyyy-MM-ddTHH:mm:ssZ in UTC."),
  SECURITY_TOKEN_NOT_SUPPORTED(
      "InvalidSecurityToken.NotSupported",
      400,
      "Sign with an AccessKey; STS tokens are not supported."),
  THROTTLING("Throttling.User", 400, "Slow down and retry after the time in Retry-After."),
  FORBIDDEN("Forbidden", 403, "Use an AccessKey whose account may call this action."),
  DESKTOP_NOT_FOUND(
      "InvalidDesktopId.NotFound", 404, "Check the desktop ids with DescribeDesktops."),
  INVOKE_NOT_FOUND("InvalidInvokeId.NotFound", 404, "Check the InvokeId with DescribeInvocations."),
  ACTIVATION_NOT_FOUND(
      "InvalidActivationId.NotFound", 404, "Check the ActivationId with DescribeActivations."),
  DESKTOP_UNAVAILABLE(
      "InvalidDesktop.Unavailable", 400, "Check that the agents are online and support the Type."),
  ACTIVATION_IN_USE(
      "InvalidActivation.InUse", 400, "Deregister the desktops enrolled with it first."),
  INTERNAL_ERROR("InternalError", 500, "Retry later; report the RequestId if the error persists."),
  SERVICE_UNAVAILABLE("ServiceUnavailable", 503, "Retry later.");

  private final String code;
  private final int httpStatus;
  private final String recommend;

  ApiError(String code, int httpStatus, String recommend) {
    this.code = code;
    this.httpStatus = httpStatus;
    this.recommend = recommend;
  }

  /** Returns the code as sent in the error envelope. */
  public String code() {
    return code;
  }

  public int httpStatus() {
    return httpStatus;
  }

  public String recommend() {
    return recommend;
  }
}
