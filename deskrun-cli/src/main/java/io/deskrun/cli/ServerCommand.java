package io.deskrun.cli;

import io.deskrun.server.DeskrunServer;
import io.deskrun.server.ServerConfig;
import io.deskrun.server.ServerSettings;
import io.deskrun.server.ServerStartException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code deskrun server}: runs the control plane until Ctrl-C. */
@Command(
    name = "server",
    mixinStandardHelpOptions = true,
    description = {
      "Runs the deskrun server (API on /, agent protocol on /agent/v1/) until Ctrl-C.",
      "Settings, in rising precedence: defaults, --config file, DESKRUN_* environment variables,"
          + " these options. See docs/configuration.md."
    },
    footer = ExitCodes.HELP_FOOTER)
final class ServerCommand implements Callable<Integer>, LongRunningCommand {
  private static final Logger log = LoggerFactory.getLogger(ServerCommand.class);

  @Option(
      names = "--port",
      paramLabel = "PORT",
      description = "TCP port to listen on (default 8080; 0 picks a free one).")
  Integer port;

  @Option(
      names = "--bind",
      paramLabel = "ADDRESS",
      description = "Address to listen on (default 127.0.0.1).")
  String bind;

  @Option(
      names = "--data-dir",
      paramLabel = "DIR",
      description =
          "Directory of the embedded database and bootstrap-credentials.json (default ./data).")
  Path dataDir;

  @Option(
      names = "--db-url",
      paramLabel = "JDBC_URL",
      description =
          "Database instead of the embedded H2, for example"
              + " jdbc:postgresql://db.example:5432/deskrun; the user and password come from the"
              + " database-user and database-password settings (DESKRUN_DATABASE_USER,"
              + " DESKRUN_DATABASE_PASSWORD).")
  String databaseUrl;

  @Option(
      names = "--tls-cert",
      paramLabel = "FILE",
      description = "PEM certificate chain; with --tls-key the server speaks HTTPS only.")
  Path tlsCert;

  @Option(
      names = "--tls-key",
      paramLabel = "FILE",
      description = "PEM private key (unencrypted PKCS#8) of the --tls-cert certificate.")
  Path tlsKey;

  @Option(
      names = "--config",
      paramLabel = "FILE",
      description = "Properties file with server settings.")
  Path configFile;

  @Override
  public Integer call() throws InterruptedException {
    ServerConfig config = loadConfig(System.getenv());
    ShutdownLatch latch = ShutdownLatch.install("server");
    DeskrunServer server = latch.add(startServer(config));
    log.info("Serving on {}://{}; press Ctrl-C to stop", server.scheme(), server.endpoint());

    latch.await();
    return ExitCodes.OK;
  }

  /** Returns only the options given, so that unset ones fall back to file and environment. */
  Map<String, String> flags() {
    Map<String, String> flags = new LinkedHashMap<>();
    if (port != null) {
      flags.put("port", port.toString());
    }
    if (bind != null) {
      flags.put("bind", bind);
    }
    if (dataDir != null) {
      flags.put("data-dir", dataDir.toString());
    }
    if (databaseUrl != null) {
      flags.put("database-url", databaseUrl);
    }
    if (tlsCert != null) {
      flags.put("tls-cert", tlsCert.toString());
    }
    if (tlsKey != null) {
      flags.put("tls-key", tlsKey.toString());
    }
    return flags;
  }

  ServerConfig loadConfig(Map<String, String> environment) {
    return loadSettings(configFile, environment, flags());
  }

  /** Loads server settings, turning an invalid value into a message for the user. */
  static ServerConfig loadSettings(
      Path configFile, Map<String, String> environment, Map<String, String> flags) {
    try {
      return ServerSettings.load(configFile, environment, flags);
    } catch (IllegalArgumentException e) {
      throw new CliException(e.getMessage(), e);
    }
  }

  static DeskrunServer startServer(ServerConfig config) {
    try {
      return DeskrunServer.start(config);
    } catch (ServerStartException e) {
      throw new CliException(e.getMessage(), e);
    } catch (IllegalArgumentException | IllegalStateException | UncheckedIOException e) {
      throw new CliException("The server did not start: " + e.getMessage(), e);
    }
  }
}
