package io.deskrun.server;

import io.deskrun.server.account.Accounts;
import io.deskrun.server.account.BootstrapCredentials;
import io.deskrun.server.dispatch.AgentChannel;
import io.deskrun.server.gateway.Gateway;
import io.deskrun.server.storage.Database;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.WebServerConfig;
import io.helidon.webserver.http.HttpRouting;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running deskrun server: the API gateway on {@code /} and the agent protocol on {@code
 * /agent/v1/}, over the database the configuration names.
 */
public final class DeskrunServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DeskrunServer.class);

  private final ServerConfig config;
  private final ServerComponents components;
  private final WebServer webServer;

  private DeskrunServer(ServerConfig config, ServerComponents components, WebServer webServer) {
    this.config = config;
    this.components = components;
    this.webServer = webServer;
  }

  /**
   * Starts a server and returns once it accepts connections. On a first start with an empty
   * database it creates the default account and AccessKey and writes the bootstrap credentials
   * file.
   */
  public static DeskrunServer start(ServerConfig config) {
    createDataDir(config.dataDir());
    Database database =
        Database.open(config.databaseUrl(), config.databaseUser(), config.databasePassword());
    try {
      return start(config, database);
    } catch (RuntimeException e) {
      database.close();
      throw e;
    }
  }

  private static DeskrunServer start(ServerConfig config, Database database) {
    ServerComponents components = new ServerComponents(config, database);
    Gateway gateway =
        new Gateway(
            config.regions(),
            components.accounts,
            components.nonces,
            components.actions,
            config.clock());

    WebServer webServer =
        webServer(config.bindAddress(), config.port(), components, gateway).build().start();
    DeskrunServer server = new DeskrunServer(config, components, webServer);
    try {
      // After the start, because the file names the port actually bound.
      components.accounts.bootstrapIfEmpty(server::writeBootstrapCredentials);
    } catch (RuntimeException e) {
      webServer.stop();
      throw e;
    }
    components.sweeper.start();
    LOG.info("deskrun server listening on {} with {}", server.endpoint(), config);
    return server;
  }

  /**
   * Returns the listener with the server's routing: the agent protocol on {@code /agent/v1}, the
   * gateway on every other path, and the gateway's limits on request size.
   */
  static WebServerConfig.Builder webServer(
      String host, int port, ServerComponents components, Gateway gateway) {
    WebServerConfig.Builder builder =
        WebServer.builder()
            .host(host)
            .port(port)
            .shutdownHook(false)
            .routing(
                HttpRouting.builder().register("/agent/v1", components.agentChannel).any(gateway));
    Gateway.configureServer(builder);
    // The gateway reads at most 64 KB of body itself, so the listener may accept the larger
    // agent reports: 24 KB of output becomes up to six times as many bytes of JSON escapes.
    // Blocking sockets keep one 8 KB buffer per connection where NIO sockets keep two, which
    // matters with one held long-poll per agent (about 80 MB less heap with 10,000 agents).
    return builder.maxPayloadSize(AgentChannel.MAX_BODY_BYTES).useNio(false);
  }

  private void writeBootstrapCredentials(Accounts.NewAccessKey key) {
    String region = new TreeSet<>(config.regions()).first();
    BootstrapCredentials.write(bootstrapCredentialsFile(), key, endpoint(), region);
    LOG.info(
        "Created the default account with AccessKey {}; its secret is in {}",
        key.accessKeyId(),
        bootstrapCredentialsFile());
  }

  private static void createDataDir(Path dataDir) {
    try {
      Files.createDirectories(dataDir);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot create the data dir " + dataDir, e);
    }
  }

  /** Returns the port actually bound (useful with port 0). */
  public int port() {
    return webServer.port();
  }

  /** Returns {@code host:port} as clients should use it, for example {@code 127.0.0.1:8080}. */
  public String endpoint() {
    String host = config.bindAddress();
    if (host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]")) {
      host = "127.0.0.1";
    } else if (host.contains(":") && !host.startsWith("[")) {
      host = "[" + host + "]";
    }
    return host + ":" + port();
  }

  /** Returns the path of {@code bootstrap-credentials.json} in the data dir. */
  public Path bootstrapCredentialsFile() {
    return config.dataDir().resolve(BootstrapCredentials.FILE_NAME);
  }

  /** Returns the effective configuration. */
  public ServerConfig config() {
    return config;
  }

  /** Returns the account store, so tests and tools can create more accounts and keys. */
  public Accounts accounts() {
    return components.accounts;
  }

  /** Runs the sweeper once now (tests move the clock and call this instead of waiting). */
  int sweepNow() {
    return components.sweeper.sweep();
  }

  ServerComponents components() {
    return components;
  }

  /** Stops taking requests, answers open long-polls, and closes the database. */
  @Override
  public void close() {
    components.agentChannel.close();
    webServer.stop();
    components.sweeper.close();
    components.database.close();
    LOG.info("deskrun server on {} stopped", config.dataDir());
  }
}
