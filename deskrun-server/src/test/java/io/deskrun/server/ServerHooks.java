package io.deskrun.server;

/** Test access to the server's package-private hooks from tests in other packages. */
public final class ServerHooks {
  private ServerHooks() {}

  /** Makes the server's API answer as it does while the server closes. */
  public static void startClosing(DeskrunServer server) {
    server.startClosing();
  }
}
