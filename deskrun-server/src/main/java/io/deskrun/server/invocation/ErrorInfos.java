package io.deskrun.server.invocation;

import io.deskrun.protocol.ErrorCodes;
import java.util.Map;

/** The {@code ErrorInfo} sentence of each per-target {@code ErrorCode}. */
final class ErrorInfos {
  private static final Map<String, String> SENTENCES =
      Map.of(
          ErrorCodes.INSTANCE_NOT_EXISTS,
          "The desktop does not exist in this account and region.",
          ErrorCodes.CLIENT_NOT_RUNNING,
          "The desktop's agent was not online when the command was submitted.",
          ErrorCodes.COMMAND_NOT_APPLICABLE,
          "The desktop's agent cannot run this script type on its operating system.",
          ErrorCodes.DELIVERY_TIMEOUT,
          "The desktop's agent did not pick up the command within the delivery window.",
          ErrorCodes.EXIT_CODE_NONZERO,
          "The script exited with a non-zero exit code.",
          ErrorCodes.EXECUTION_EXCEPTION,
          "The agent could not start or finish the script.",
          ErrorCodes.EXECUTION_INTERRUPTED,
          "The run was interrupted, for example by an agent restart.",
          ErrorCodes.CLIENT_NOT_RESPONSE,
          "The agent sent no result before the run's deadline passed.",
          ErrorCodes.EXECUTION_TIMEOUT,
          "The script ran past its Timeout and was killed.");

  private ErrorInfos() {}

  /** Returns the sentence for a code, or null for none or an unknown code. */
  static String of(String errorCode) {
    return errorCode == null ? null : SENTENCES.get(errorCode);
  }
}
