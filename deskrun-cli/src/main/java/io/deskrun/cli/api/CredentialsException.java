package io.deskrun.cli.api;

/** No usable credentials: a variable or the bootstrap file is missing or invalid. */
public final class CredentialsException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public CredentialsException(String message) {
    super(message);
  }

  public CredentialsException(String message, Throwable cause) {
    super(message, cause);
  }
}
