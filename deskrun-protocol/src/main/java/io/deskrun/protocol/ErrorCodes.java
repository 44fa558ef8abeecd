package io.deskrun.protocol;

/** Per-target {@code ErrorCode} values that the agent reports or the server assigns. */
public final class ErrorCodes {
  public static final String INSTANCE_NOT_EXISTS = "InstanceNotExists";
  public static final String CLIENT_NOT_RUNNING = "ClientNotRunning";
  public static final String COMMAND_NOT_APPLICABLE = "CommandNotApplicable";
  public static final String DELIVERY_TIMEOUT = "DeliveryTimeout";
  public static final String EXIT_CODE_NONZERO = "ExitCodeNonzero";
  public static final String EXECUTION_EXCEPTION = "ExecutionException";
  public static final String EXECUTION_INTERRUPTED = "ExecutionInterrupted";
  public static final String CLIENT_NOT_RESPONSE = "ClientNotResponse";
  public static final String EXECUTION_TIMEOUT = "ExecutionTimeout";

  private ErrorCodes() {}
}
