package io.deskrun.server;

import io.deskrun.server.account.Accounts;
import io.deskrun.server.account.DatabaseNonceRegistry;
import io.deskrun.server.account.MasterKey;
import io.deskrun.server.account.MasterKeyCheck;
import io.deskrun.server.desktop.DesktopActions;
import io.deskrun.server.desktop.DesktopRegistry;
import io.deskrun.server.desktop.Enrollment;
import io.deskrun.server.dispatch.AgentChannel;
import io.deskrun.server.dispatch.PostgresWakeUpRelay;
import io.deskrun.server.dispatch.WakeUps;
import io.deskrun.server.gateway.ActionHandler;
import io.deskrun.server.invocation.InvocationActions;
import io.deskrun.server.invocation.JournalKinds;
import io.deskrun.server.invocation.Targets;
import io.deskrun.server.storage.Database;
import io.deskrun.server.storage.WriteJournal;
import io.deskrun.server.support.PageTokens;
import io.deskrun.server.support.RateLimiter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The server's parts wired together over one database, without the web server. */
final class ServerComponents {
  /** How often a server with its own database writes the signature nonces it accepted. */
  static final Duration NONCE_FLUSH_INTERVAL = Duration.ofMillis(100);

  final Database database;
  final Accounts accounts;
  final DatabaseNonceRegistry nonces;
  final Targets targets;
  final DesktopRegistry desktops;
  final Map<String, ActionHandler> actions;
  final AgentChannel agentChannel;
  final Sweeper sweeper;

  /** Present when the database is shared with other servers (PostgreSQL). */
  final PostgresWakeUpRelay relay;

  ServerComponents(ServerConfig config, Database database) {
    this.database = database;
    List<WriteJournal.Kind<?>> journalKinds = new ArrayList<>(JournalKinds.all());
    journalKinds.add(DatabaseNonceRegistry.WRITTEN_BEHIND);
    database.startJournal(journalKinds, WriteJournal.DEFAULT_ROTATE_INTERVAL);
    MasterKey masterKey = MasterKey.load(config.masterKey(), config.dataDir());
    MasterKeyCheck.verify(database.jdbi(), masterKey, config.clock());
    PageTokens pageTokens = new PageTokens(masterKey.derive("deskrun page tokens"));
    WakeUps wakeUps = new WakeUps();
    this.relay =
        database.dialect().isShared()
            ? new PostgresWakeUpRelay(database, wakeUps, config.clock())
            : null;
    if (relay != null) {
      wakeUps.relayTo(relay);
    }
    this.accounts = new Accounts(database.jdbi(), masterKey, config.clock());
    this.nonces =
        database.dialect().isShared()
            ? DatabaseNonceRegistry.immediate(database.jdbi(), config.clock())
            : DatabaseNonceRegistry.writeBehind(
                database.jdbi(), config.clock(), NONCE_FLUSH_INTERVAL);
    this.targets = new Targets(database.jdbi(), config.clock(), database.dialect());
    this.desktops =
        new DesktopRegistry(
            database.jdbi(),
            config.clock(),
            config.heartbeatWindow(),
            database.dialect().isShared()
                ? DesktopRegistry.SHARED_CREDENTIAL_REUSE
                : DesktopRegistry.OWN_CREDENTIAL_REUSE);

    Map<String, ActionHandler> handlers = new HashMap<>();
    new DesktopActions(
            database.jdbi(),
            config.clock(),
            config.heartbeatWindow(),
            pageTokens,
            desktopId -> {
              desktops.forget(desktopId);
              targets.cancelPendingOf(desktopId);
            })
        .register(handlers);
    InvocationActions invocations =
        new InvocationActions(
            database.jdbi(),
            targets,
            desktops,
            wakeUps,
            pageTokens,
            config.clock(),
            config.heartbeatWindow());
    invocations.register(handlers);
    this.actions = Map.copyOf(handlers);

    this.agentChannel =
        new AgentChannel(
            new Enrollment(database.jdbi(), config.clock(), config.regions()),
            desktops,
            targets,
            wakeUps,
            config.longPollWait(),
            config.deliveryWindow(),
            new RateLimiter(config.agentPollRateLimit(), Duration.ofMinutes(1), config.clock()));
    this.sweeper = new Sweeper(config, database, targets, nonces, invocations);
  }
}
