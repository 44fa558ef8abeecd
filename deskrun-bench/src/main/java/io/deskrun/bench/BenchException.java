package io.deskrun.bench;

/** A benchmark step that cannot go on: a failed call, a missing tool, a wait that ran out. */
public final class BenchException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public BenchException(String message) {
    super(message);
  }

  public BenchException(String message, Throwable cause) {
    super(message, cause);
  }
}
