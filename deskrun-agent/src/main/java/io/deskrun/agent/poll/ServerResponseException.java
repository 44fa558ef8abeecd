package io.deskrun.agent.poll;

import io.deskrun.protocol.AgentError;

/** A non-2xx response of the server, with its {@link AgentError} body when it had one. */
public final class ServerResponseException extends Exception {
  private static final long serialVersionUID = 1L;

  private final int statusCode;
  private final transient AgentError error;

  public ServerResponseException(String path, int statusCode, AgentError error) {
    super(
        path
            + " returned HTTP "
            + statusCode
            + (error == null ? "" : ": " + error.code() + ": " + error.message()));
    this.statusCode = statusCode;
    this.error = error;
  }

  public int statusCode() {
    return statusCode;
  }

  /** Returns the error body, or null when the body was not an {@link AgentError}. */
  public AgentError error() {
    return error;
  }

  /** Tells whether the server rejected the agent's credential (HTTP 401 or 403). */
  public boolean isCredentialRejected() {
    return statusCode == 401 || statusCode == 403;
  }

  /** Tells whether repeating the same request later can succeed (5xx, 408, 429). */
  public boolean isRetryable() {
    return statusCode >= 500 || statusCode == 408 || statusCode == 429;
  }
}
