package io.deskrun.server;

/**
 * A running deskrun server: the API gateway on {@code /} and the agent protocol on {@code
 * /agent/v1/}, over the database the configuration names.
 */
public final class DeskrunServer implements AutoCloseable {
  private DeskrunServer() {}

  /**
   * Starts a server and returns once it accepts connections. On a first start with an empty
   * database it creates the default account and AccessKey and writes the bootstrap credentials
   * file.
   */
  public static DeskrunServer start(ServerConfig config) {
    throw new UnsupportedOperationException("contract stub: " + config);
  }

  /** Returns the port actually bound (useful with port 0). */
  public int port() {
    throw new UnsupportedOperationException("contract stub");
  }

  /** Returns {@code host:port} as clients should use it, for example {@code 127.0.0.1:8080}. */
  public String endpoint() {
    throw new UnsupportedOperationException("contract stub");
  }

  /** Returns the path of {@code bootstrap-credentials.json} in the data dir. */
  public java.nio.file.Path bootstrapCredentialsFile() {
    throw new UnsupportedOperationException("contract stub");
  }

  /** Stops taking requests, answers open long-polls, and closes the database. */
  @Override
  public void close() {
    throw new UnsupportedOperationException("contract stub");
  }
}
