package io.deskrun.server;

import io.deskrun.server.account.Accounts;
import io.deskrun.server.account.BootstrapCredentials;
import io.deskrun.server.dispatch.AgentChannel;
import io.deskrun.server.dispatch.PostgresWakeUpRelay;
import io.deskrun.server.gateway.Gateway;
import io.deskrun.server.storage.Database;
import io.deskrun.server.support.RateLimiter;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.WebServerConfig;
import io.helidon.webserver.http.HttpRouting;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running deskrun server: the API gateway on {@code /} and the agent protocol on {@code
 * /agent/v1/}, over the database the configuration names.
 */
public final class DeskrunServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DeskrunServer.class);
  private static final Duration RELAY_START_LIMIT = Duration.ofSeconds(10);

  private static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(5);

  private final ServerConfig config;
  private final ServerComponents components;
  private final Gateway gateway;
  private final WebServer webServer;
  private final DataDirLock dataDirLock;

  private DeskrunServer(
      ServerConfig config,
      ServerComponents components,
      Gateway gateway,
      WebServer webServer,
      DataDirLock dataDirLock) {
    this.config = config;
    this.components = components;
    this.gateway = gateway;
    this.webServer = webServer;
    this.dataDirLock = dataDirLock;
  }

  /**
   * Starts a server and returns once it accepts connections. On a first start with an empty
   * database it creates the default account and AccessKey and writes the bootstrap credentials
   * file.
   *
   * @throws ServerStartException when the data dir is used by another server or the address cannot
   *     be bound
   */
  public static DeskrunServer start(ServerConfig config) {
    createDataDir(config.dataDir());
    DataDirLock lock = DataDirLock.acquire(config.dataDir());
    try {
      Database database =
          Database.open(
              config.databaseUrl(),
              config.databaseUser(),
              config.databasePassword(),
              config.databasePoolSize());
      try {
        return start(config, database, lock);
      } catch (RuntimeException e) {
        database.close();
        throw e;
      }
    } catch (RuntimeException e) {
      lock.close();
      throw e;
    }
  }

  private static DeskrunServer start(ServerConfig config, Database database, DataDirLock lock) {
    ServerComponents components = new ServerComponents(config, database);
    startRelay(components);
    try {
      return start(config, components, lock);
    } catch (RuntimeException e) {
      components.nonces.close();
      if (components.relay != null) {
        components.relay.close();
      }
      throw e;
    }
  }

  private static DeskrunServer start(
      ServerConfig config, ServerComponents components, DataDirLock lock) {
    Gateway gateway =
        new Gateway(
            config.regions(),
            components.accounts,
            components.nonces,
            components.actions,
            config.clock(),
            new RateLimiter(config.apiRateLimit(), Duration.ofSeconds(1), config.clock()));

    WebServerConfig.Builder builder =
        webServer(config.bindAddress(), config.port(), components, gateway);
    if (config.tlsCert().isPresent() && config.tlsKey().isPresent()) {
      builder.tls(TlsFiles.load(config.tlsCert().get(), config.tlsKey().get()));
    }
    WebServer webServer = builder.build().start();
    requireListening(webServer, config);
    DeskrunServer server = new DeskrunServer(config, components, gateway, webServer, lock);
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

  // Helidon logs a failed bind and returns a server without a listener instead of throwing.
  private static void requireListening(WebServer webServer, ServerConfig config) {
    if (webServer.isRunning() && webServer.port() > 0) {
      return;
    }
    webServer.stop();
    throw new ServerStartException(
        "Cannot listen on "
            + config.bindAddress()
            + ":"
            + config.port()
            + ": the port is in use or the address is not on this machine; choose another --port"
            + " or --bind.");
  }

  /** Starts listening to the other servers of a shared database before taking requests. */
  private static void startRelay(ServerComponents components) {
    if (components.relay == null) {
      return;
    }
    try {
      if (!components.relay.start(RELAY_START_LIMIT)) {
        LOG.warn(
            "Not yet listening for wake-ups from other servers after {}; runs they accept reach"
                + " this server's agents through the re-check every {} until the listener connects",
            RELAY_START_LIMIT,
            PostgresWakeUpRelay.RECHECK_INTERVAL);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      components.relay.close();
      throw new IllegalStateException("Interrupted while starting the wake-up listener", e);
    }
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
            // close() answers open long-polls first; requests in flight then get this long to
            // finish their database writes before the listener stops.
            .shutdownGracePeriod(SHUTDOWN_GRACE)
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
    String protocol = config.tlsCert().isPresent() ? "https" : "http";
    BootstrapCredentials.write(bootstrapCredentialsFile(), key, endpoint(), protocol, region);
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

  /** Returns {@code https} when the server has a certificate, else {@code http}. */
  public String scheme() {
    return config.tlsCert().isPresent() ? "https" : "http";
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

  /**
   * Makes the API reject every request with {@code 503 ServiceUnavailable} from now on, as it does
   * while the server closes. Tests call it to reach that error without racing a real close.
   */
  void startClosing() {
    gateway.startClosing();
  }

  /**
   * Stops taking requests (API requests that still arrive get {@code 503 ServiceUnavailable}),
   * answers open long-polls, and closes the database.
   */
  @Override
  public void close() {
    startClosing();
    components.agentChannel.close();
    webServer.stop();
    components.sweeper.close();
    if (components.relay != null) {
      components.relay.close();
    }
    closeNonces();
    components.database.close();
    dataDirLock.close();
    LOG.info("deskrun server on {} stopped", config.dataDir());
  }

  private void closeNonces() {
    try {
      components.nonces.close();
    } catch (RuntimeException e) {
      LOG.warn("Failed to write the last signature nonces before closing the database", e);
    }
  }
}
