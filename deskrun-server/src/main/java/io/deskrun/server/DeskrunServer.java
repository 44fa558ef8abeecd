package io.deskrun.server;

import io.deskrun.server.account.Accounts;
import io.deskrun.server.account.BootstrapCredentials;
import io.deskrun.server.account.DatabaseNonceRegistry;
import io.deskrun.server.account.MasterKey;
import io.deskrun.server.desktop.DesktopActions;
import io.deskrun.server.desktop.DesktopRegistry;
import io.deskrun.server.desktop.Enrollment;
import io.deskrun.server.dispatch.AgentChannel;
import io.deskrun.server.dispatch.WakeUps;
import io.deskrun.server.gateway.ActionHandler;
import io.deskrun.server.gateway.Gateway;
import io.deskrun.server.invocation.InvocationActions;
import io.deskrun.server.invocation.Targets;
import io.deskrun.server.storage.Database;
import io.deskrun.server.support.PageTokens;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
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
  private final Database database;
  private final Accounts accounts;
  private final AgentChannel agentChannel;
  private final Sweeper sweeper;
  private final WebServer webServer;

  private DeskrunServer(
      ServerConfig config,
      Database database,
      Accounts accounts,
      AgentChannel agentChannel,
      Sweeper sweeper,
      WebServer webServer) {
    this.config = config;
    this.database = database;
    this.accounts = accounts;
    this.agentChannel = agentChannel;
    this.sweeper = sweeper;
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
    MasterKey masterKey = MasterKey.load(config.masterKey(), config.dataDir());
    Accounts accounts = new Accounts(database.jdbi(), masterKey, config.clock());
    DatabaseNonceRegistry nonces = new DatabaseNonceRegistry(database.jdbi(), config.clock());
    PageTokens pageTokens = new PageTokens(masterKey.derive("deskrun page tokens"));
    WakeUps wakeUps = new WakeUps();
    Targets targets = new Targets(database.jdbi(), config.clock());
    DesktopRegistry desktops = new DesktopRegistry(database.jdbi(), config.clock());

    Map<String, ActionHandler> actions = new HashMap<>();
    new DesktopActions(
            database.jdbi(),
            config.clock(),
            config.heartbeatWindow(),
            pageTokens,
            targets::cancelPendingOf)
        .register(actions);
    InvocationActions invocations =
        new InvocationActions(
            database.jdbi(),
            targets,
            desktops,
            wakeUps,
            pageTokens,
            config.clock(),
            config.heartbeatWindow());
    invocations.register(actions);

    AgentChannel agentChannel =
        new AgentChannel(
            new Enrollment(database.jdbi(), config.clock(), config.regions()),
            desktops,
            targets,
            wakeUps,
            config.longPollWait(),
            config.deliveryWindow());
    Gateway gateway =
        new Gateway(config.regions(), accounts, nonces, Map.copyOf(actions), config.clock());
    Optional<Accounts.NewAccessKey> bootstrapKey = accounts.bootstrapIfEmpty();

    WebServer webServer =
        WebServer.builder()
            .host(config.bindAddress())
            .port(config.port())
            .shutdownHook(false)
            .routing(HttpRouting.builder().register("/agent/v1", agentChannel).any(gateway))
            .build()
            .start();
    Sweeper sweeper = new Sweeper(config, targets, nonces, invocations);
    sweeper.start();
    DeskrunServer server =
        new DeskrunServer(config, database, accounts, agentChannel, sweeper, webServer);
    LOG.info("deskrun server listening on {} with {}", server.endpoint(), config);
    bootstrapKey.ifPresent(key -> server.writeBootstrapCredentials(key));
    return server;
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
    return accounts;
  }

  /** Runs the sweeper once now (tests move the clock and call this instead of waiting). */
  int sweepNow() {
    return sweeper.sweep();
  }

  Database database() {
    return database;
  }

  /** Stops taking requests, answers open long-polls, and closes the database. */
  @Override
  public void close() {
    agentChannel.close();
    webServer.stop();
    sweeper.close();
    database.close();
    LOG.info("deskrun server on {} stopped", config.dataDir());
  }
}
