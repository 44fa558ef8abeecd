package io.deskrun.cli;

/** Exit codes of the {@code deskrun} command; the help footer lists them. */
final class ExitCodes {
  static final int OK = 0;

  /** The API returned an error ({@code Error: <Code>: <Message>}). */
  static final int API_ERROR = 1;

  /** Invalid command line: unknown option, missing or malformed value. */
  static final int USAGE = 2;

  /** Missing credentials, invalid settings, or the server cannot be reached or started. */
  static final int CONFIGURATION = 3;

  /** {@code run --wait}: every desktop finished, but at least one not with Success. */
  static final int RUN_NOT_SUCCESSFUL = 4;

  /** {@code run --wait}: the wait limit passed before every desktop finished. */
  static final int WAIT_TIMED_OUT = 5;

  /** An unexpected exception, which points to a bug; its stack trace is printed. */
  static final int INTERNAL_ERROR = 70;

  static final String HELP_FOOTER =
      """

      Exit codes:
        0  success
        1  the API returned an error (printed as "Error: <Code>: <Message>")
        2  invalid command line
        3  missing credentials, invalid settings, or server unreachable
        4  run --wait: at least one desktop did not finish with Success
        5  run --wait: gave up waiting before every desktop finished
        70 unexpected internal error (the stack trace is printed)""";

  private ExitCodes() {}
}
