package io.deskrun.cli.api;

/** The API endpoint could not be reached or sent something that is not an API response. */
public final class ServerUnreachableException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public ServerUnreachableException(String message, Throwable cause) {
    super(message, cause);
  }
}
