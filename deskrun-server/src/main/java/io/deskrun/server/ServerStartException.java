package io.deskrun.server;

/**
 * A server could not start because of its environment: the port is taken, the data dir is used by
 * another server, or a setting does not fit this machine. The message names the cause and the fix.
 */
public final class ServerStartException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public ServerStartException(String message) {
    super(message);
  }

  public ServerStartException(String message, Throwable cause) {
    super(message, cause);
  }
}
