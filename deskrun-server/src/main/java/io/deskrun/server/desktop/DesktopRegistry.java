package io.deskrun.server.desktop;

import io.deskrun.protocol.OsType;
import io.deskrun.protocol.ScriptType;
import io.deskrun.server.storage.GroupCommit;
import io.deskrun.server.support.Hashes;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.jdbi.v3.core.Jdbi;

/** Registered desktops: lookup, agent authentication and heartbeats. */
public final class DesktopRegistry {
  static final String COLUMNS =
      "desktop_id, account_id, region_id, activation_id, desktop_name, os_type, hostname,"
          + " agent_version, script_types, last_heartbeat_at, created_at";

  /**
   * Maximum age of a stored heartbeat that a poll leaves as it is, whatever the heartbeat window.
   */
  static final Duration MAX_HEARTBEAT_REFRESH = Duration.ofSeconds(15);

  /**
   * How long a desktop read to check an agent credential is reused when other servers share the
   * database and may deregister it.
   */
  public static final Duration SHARED_CREDENTIAL_REUSE = Duration.ofSeconds(2);

  /**
   * How long the same is reused with a database of this server's own, where only this server
   * deregisters desktops and {@link #forget} takes effect at once.
   */
  public static final Duration OWN_CREDENTIAL_REUSE = Duration.ofSeconds(60);

  /** Bounds the memory of remembered desktops; past it they are all read again. */
  static final int MAX_REMEMBERED_CREDENTIALS = 100_000;

  /** Below this many remembered desktops, expired ones are left until they are read again. */
  static final int MIN_CLEANUP_SIZE = 1_024;

  private final Jdbi jdbi;
  private final InstantSource clock;
  private final long heartbeatRefreshMillis;
  private final long credentialReuseMillis;

  /** Shares the commits of heartbeats that arrive together. */
  private final GroupCommit writes;

  /** Desktops read by {@link #authenticate}, by id. */
  private final Map<String, Credential> credentials = new ConcurrentHashMap<>();

  /** The number of remembered desktops at which expired ones are dropped next. */
  private volatile int nextCleanup = MIN_CLEANUP_SIZE;

  /**
   * @param heartbeatWindow how long after its last poll a desktop still counts as online; a stored
   *     heartbeat is refreshed after a sixth of it (at most {@link #MAX_HEARTBEAT_REFRESH}), so an
   *     agent that polls often costs one write per refresh, not one per poll
   * @param credentialReuse how long a desktop read to check a credential is reused: {@link
   *     #SHARED_CREDENTIAL_REUSE} or {@link #OWN_CREDENTIAL_REUSE}
   */
  public DesktopRegistry(
      Jdbi jdbi, InstantSource clock, Duration heartbeatWindow, Duration credentialReuse) {
    this.jdbi = jdbi;
    this.clock = clock;
    this.writes = new GroupCommit(jdbi);
    this.heartbeatRefreshMillis =
        Math.min(MAX_HEARTBEAT_REFRESH.toMillis(), heartbeatWindow.toMillis() / 6);
    this.credentialReuseMillis = credentialReuse.toMillis();
  }

  /** Returns how long a desktop read to check a credential is reused. */
  public Duration credentialReuse() {
    return Duration.ofMillis(credentialReuseMillis);
  }

  /**
   * Checks an agent credential and returns the desktop it belongs to; empty for an unknown or
   * deregistered desktop or a wrong token. A desktop read from the database is reused for {@link
   * #credentialReuse}, which saves a read on most polls and reports of a busy agent.
   *
   * <p>NOTE: a desktop deregistered through another server of a shared database is still accepted
   * here for up to {@link #SHARED_CREDENTIAL_REUSE}; on this server {@link #forget} takes effect at
   * once.
   */
  public Optional<Desktop> authenticate(String desktopId, String token) {
    long now = clock.millis();
    Credential credential = credentials.get(desktopId);
    if (!isFresh(credential, now)) {
      credential = read(desktopId, now);
      remember(desktopId, credential);
    }
    if (credential == null || !Hashes.matches(token, credential.tokenHash())) {
      return Optional.empty();
    }
    return Optional.of(credential.desktop());
  }

  /** Returns how many desktops this registry remembers from credential checks. */
  public int rememberedCount() {
    return credentials.size();
  }

  /** Drops what this registry remembers of a desktop, such as after it was deregistered. */
  public void forget(String desktopId) {
    credentials.remove(desktopId);
  }

  private Credential read(String desktopId, long now) {
    return jdbi.withHandle(
        handle ->
            handle
                .createQuery(
                    "SELECT " + COLUMNS + ", token_hash FROM desktops WHERE desktop_id = :id")
                .bind("id", desktopId)
                .map((rs, ctx) -> new Credential(map(rs), rs.getString("token_hash"), now))
                .findOne()
                .orElse(null));
  }

  private void remember(String desktopId, Credential credential) {
    if (credential == null) {
      credentials.remove(desktopId);
      return;
    }
    credentials.put(desktopId, credential);
    if (credentials.size() > nextCleanup) {
      dropExpired(credential.readAt());
    }
  }

  /**
   * Drops the remembered desktops too old to be reused. Idle agents poll every 25 s, longer than
   * the 2 s of reuse on a shared database, so without this their rows would stay in memory for
   * nothing. The next cleanup comes when the map has doubled, which keeps the work per read
   * constant.
   */
  private synchronized void dropExpired(long now) {
    credentials.values().removeIf(kept -> !isFresh(kept, now));
    if (credentials.size() >= MAX_REMEMBERED_CREDENTIALS) {
      credentials.clear();
    }
    nextCleanup = Math.max(MIN_CLEANUP_SIZE, 2 * credentials.size());
  }

  private record Credential(Desktop desktop, String tokenHash, long readAt) {}

  /** Tells whether a remembered desktop may still be used instead of reading it again. */
  private boolean isFresh(Credential credential, long now) {
    return credential != null && now - credential.readAt() < credentialReuseMillis;
  }

  /**
   * Records a poll of the desktop just read by {@link #authenticate}: skips the write when its
   * stored heartbeat is younger than the refresh interval and the agent reported nothing new about
   * itself.
   */
  public void recordHeartbeat(
      Desktop desktop, String hostname, String agentVersion, Collection<ScriptType> scriptTypes) {
    Long last = desktop.lastHeartbeatAt();
    boolean fresh = last != null && clock.millis() - last < heartbeatRefreshMillis;
    boolean unchanged =
        (hostname == null || hostname.equals(desktop.hostname()))
            && (agentVersion == null || agentVersion.equals(desktop.agentVersion()))
            && (scriptTypes == null || asSet(desktop.scriptTypes()).equals(asSet(scriptTypes)));
    if (fresh && unchanged) {
      return;
    }
    recordHeartbeat(desktop.desktopId(), hostname, agentVersion, scriptTypes);
  }

  private static Set<ScriptType> asSet(Collection<ScriptType> types) {
    Set<ScriptType> set = EnumSet.noneOf(ScriptType.class);
    set.addAll(types);
    return set;
  }

  /**
   * Records that the agent polled now, with what it reported about itself. The write may be lost
   * with a killed server, which the agent's next poll repairs.
   */
  public void recordHeartbeat(
      String desktopId, String hostname, String agentVersion, Collection<ScriptType> scriptTypes) {
    writes.runVolatile(
        handle ->
            handle
                .createUpdate(
                    "UPDATE desktops SET last_heartbeat_at = :now,"
                        + " hostname = COALESCE(:hostname, hostname),"
                        + " agent_version = COALESCE(:version, agent_version),"
                        + " script_types = COALESCE(:types, script_types)"
                        + " WHERE desktop_id = :id")
                .bind("now", clock.millis())
                .bind("hostname", hostname)
                .bind("version", agentVersion)
                .bind("types", scriptTypes == null ? null : formatScriptTypes(scriptTypes))
                .bind("id", desktopId)
                .execute());
    // The remembered desktop has the old heartbeat, which would cause a write on every poll.
    forget(desktopId);
  }

  /**
   * Returns the desktops among {@code desktopIds} that exist in this account and region. A desktop
   * read for a credential check within {@link #credentialReuse} is taken from memory: its agent
   * polled since, and a heartbeat write or a deregistration on this server drops it.
   */
  public Map<String, Desktop> findAll(
      String accountId, String regionId, Collection<String> desktopIds) {
    if (desktopIds.isEmpty()) {
      return Map.of();
    }
    long now = clock.millis();
    Map<String, Desktop> byId = new LinkedHashMap<>();
    List<String> unknown = new ArrayList<>();
    for (String desktopId : desktopIds) {
      Credential credential = credentials.get(desktopId);
      if (!isFresh(credential, now)) {
        unknown.add(desktopId);
      } else if (credential.desktop().accountId().equals(accountId)
          && credential.desktop().regionId().equals(regionId)) {
        byId.put(desktopId, credential.desktop());
      }
    }
    if (!unknown.isEmpty()) {
      readAll(accountId, regionId, unknown)
          .forEach(desktop -> byId.put(desktop.desktopId(), desktop));
    }
    return byId;
  }

  private List<Desktop> readAll(String accountId, String regionId, List<String> desktopIds) {
    return jdbi.withHandle(
        handle ->
            handle
                .createQuery(
                    "SELECT "
                        + COLUMNS
                        + " FROM desktops WHERE account_id = :account"
                        + " AND region_id = :region AND desktop_id IN (<ids>)")
                .bind("account", accountId)
                .bind("region", regionId)
                .bindList("ids", desktopIds)
                .map((rs, ctx) -> map(rs))
                .list());
  }

  static Desktop map(ResultSet rs) throws SQLException {
    Long heartbeat = rs.getObject("last_heartbeat_at", Long.class);
    return new Desktop(
        rs.getString("desktop_id"),
        rs.getString("account_id"),
        rs.getString("region_id"),
        rs.getString("activation_id"),
        rs.getString("desktop_name"),
        OsType.valueOf(rs.getString("os_type")),
        rs.getString("hostname"),
        rs.getString("agent_version"),
        parseScriptTypes(rs.getString("script_types")),
        heartbeat,
        rs.getLong("created_at"));
  }

  static String formatScriptTypes(Collection<ScriptType> types) {
    return types.stream().map(Enum::name).sorted().collect(Collectors.joining(","));
  }

  static Set<ScriptType> parseScriptTypes(String text) {
    Set<ScriptType> types = EnumSet.noneOf(ScriptType.class);
    if (text == null || text.isEmpty()) {
      return types;
    }
    Arrays.stream(text.split(","))
        .map(ScriptType::fromApiName)
        .flatMap(Optional::stream)
        .forEach(types::add);
    return types;
  }
}
