package io.deskrun.server;

import java.nio.file.Path;

/** Effective server settings; see {@link ServerSettings} for how they are read. */
public final class ServerConfig {
  private ServerConfig() {}

  /** Returns the defaults with this data dir, bound to 127.0.0.1 on a free port (tests). */
  public static ServerConfig forDataDir(Path dataDir) {
    throw new UnsupportedOperationException("contract stub: " + dataDir);
  }
}
