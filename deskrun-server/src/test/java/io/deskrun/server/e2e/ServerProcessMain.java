package io.deskrun.server.e2e;

import io.deskrun.server.DeskrunServer;
import io.deskrun.server.ServerConfig;
import io.deskrun.server.ServerSettings;
import java.util.Map;

/**
 * Runs one server in a JVM of its own, so that a test can kill it as a crash would. The settings
 * come from the {@code DESKRUN_*} environment. Once the server listens, it prints {@link #READY}
 * and the endpoint, then runs until the process is killed.
 */
public final class ServerProcessMain {
  /** The start of the line printed once the server accepts connections. */
  static final String READY = "SERVER-READY ";

  private ServerProcessMain() {}

  public static void main(String[] args) throws InterruptedException {
    ServerConfig config = ServerSettings.load(null, System.getenv(), Map.of());
    DeskrunServer server = DeskrunServer.start(config);
    System.out.println(READY + server.endpoint());
    System.out.flush();
    Thread.currentThread().join();
  }
}
