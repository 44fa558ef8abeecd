package io.deskrun.server;

import io.deskrun.server.storage.Database;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Effective server settings, immutable; see {@link ServerSettings} for how they are read from
 * files, the environment and flags. The {@code with...} methods return a changed copy and check the
 * new value with the same rules as {@link ServerSettings}.
 */
public final class ServerConfig {
  static final String DEFAULT_BIND_ADDRESS = "127.0.0.1";
  static final int DEFAULT_PORT = 8080;
  static final Set<String> DEFAULT_REGIONS = Set.of("cn-hangzhou");
  static final Duration DEFAULT_HEARTBEAT_WINDOW = Duration.ofSeconds(90);
  static final Duration DEFAULT_DELIVERY_WINDOW = Duration.ofSeconds(60);
  static final Duration DEFAULT_LONG_POLL_WAIT = Duration.ofSeconds(25);
  static final Duration DEFAULT_EXECUTION_GRACE = Duration.ofSeconds(60);
  static final Duration DEFAULT_SWEEP_INTERVAL = Duration.ofSeconds(5);
  static final int DEFAULT_RETENTION_DAYS = 14;
  static final int DEFAULT_RETENTION_MAX_INVOCATIONS = 100_000;
  static final int DEFAULT_API_RATE_LIMIT = 200;
  static final int DEFAULT_AGENT_POLL_RATE_LIMIT = 600;

  /** A {@code password=} property inside a JDBC URL, to mask it in logs. */
  private static final Pattern PASSWORD_IN_URL = Pattern.compile("((?i:password)=)[^&;]*");

  private String bindAddress = DEFAULT_BIND_ADDRESS;
  private int port = DEFAULT_PORT;
  private Path dataDir;
  private String databaseUrl;
  private String databaseUser = "";
  private String databasePassword = "";
  private int databasePoolSize = Database.DEFAULT_POOL_SIZE;
  private Set<String> regions = DEFAULT_REGIONS;
  private String masterKey;
  private Duration heartbeatWindow = DEFAULT_HEARTBEAT_WINDOW;
  private Duration deliveryWindow = DEFAULT_DELIVERY_WINDOW;
  private Duration longPollWait = DEFAULT_LONG_POLL_WAIT;
  private Duration executionGrace = DEFAULT_EXECUTION_GRACE;
  private Duration sweepInterval = DEFAULT_SWEEP_INTERVAL;
  private int retentionDays = DEFAULT_RETENTION_DAYS;
  private int retentionMaxInvocations = DEFAULT_RETENTION_MAX_INVOCATIONS;
  private InstantSource clock = InstantSource.system();
  private Path tlsCert;
  private Path tlsKey;
  private int apiRateLimit = DEFAULT_API_RATE_LIMIT;
  private int agentPollRateLimit = DEFAULT_AGENT_POLL_RATE_LIMIT;

  private ServerConfig() {}

  private ServerConfig copy() {
    ServerConfig copy = new ServerConfig();
    copy.bindAddress = bindAddress;
    copy.port = port;
    copy.dataDir = dataDir;
    copy.databaseUrl = databaseUrl;
    copy.databaseUser = databaseUser;
    copy.databasePassword = databasePassword;
    copy.databasePoolSize = databasePoolSize;
    copy.regions = regions;
    copy.masterKey = masterKey;
    copy.heartbeatWindow = heartbeatWindow;
    copy.deliveryWindow = deliveryWindow;
    copy.longPollWait = longPollWait;
    copy.executionGrace = executionGrace;
    copy.sweepInterval = sweepInterval;
    copy.retentionDays = retentionDays;
    copy.retentionMaxInvocations = retentionMaxInvocations;
    copy.clock = clock;
    copy.tlsCert = tlsCert;
    copy.tlsKey = tlsKey;
    copy.apiRateLimit = apiRateLimit;
    copy.agentPollRateLimit = agentPollRateLimit;
    return copy;
  }

  /** Returns the defaults with this data dir, bound to 127.0.0.1 on a free port (tests). */
  public static ServerConfig forDataDir(Path dataDir) {
    return defaults(dataDir).withPort(0);
  }

  /** Returns the defaults with this data dir: 127.0.0.1, port 8080. */
  public static ServerConfig defaults(Path dataDir) {
    ServerConfig config = new ServerConfig();
    config.dataDir = Objects.requireNonNull(dataDir, "dataDir").toAbsolutePath().normalize();
    return config;
  }

  public ServerConfig withBindAddress(String value) {
    ServerConfig copy = copy();
    copy.bindAddress = SettingRules.requireNonBlank(SettingNames.BIND, value);
    return copy;
  }

  /** Sets the TCP port, 0 to 65535; 0 picks a free port. */
  public ServerConfig withPort(int value) {
    ServerConfig copy = copy();
    copy.port = (int) SettingRules.requireRange(SettingNames.PORT, value, 0, 65_535);
    return copy;
  }

  public ServerConfig withDataDir(Path value) {
    ServerConfig copy = copy();
    copy.dataDir = Objects.requireNonNull(value, "dataDir").toAbsolutePath().normalize();
    return copy;
  }

  /** Sets the JDBC URL; null restores the default H2 file database under the data dir. */
  public ServerConfig withDatabaseUrl(String value) {
    ServerConfig copy = copy();
    copy.databaseUrl = value == null ? null : SettingRules.requireJdbcUrl(value);
    return copy;
  }

  public ServerConfig withDatabaseCredentials(String user, String password) {
    ServerConfig copy = copy();
    copy.databaseUser = Objects.requireNonNull(user, "user");
    copy.databasePassword = Objects.requireNonNull(password, "password");
    return copy;
  }

  /** Sets the most database connections this server holds, 2 to 1000; default 16. */
  public ServerConfig withDatabasePoolSize(int value) {
    ServerConfig copy = copy();
    copy.databasePoolSize =
        (int) SettingRules.requireRange(SettingNames.DATABASE_POOL_SIZE, value, 2, 1000);
    return copy;
  }

  public ServerConfig withRegions(Set<String> value) {
    ServerConfig copy = copy();
    copy.regions = SettingRules.requireRegions(value);
    return copy;
  }

  /** Sets the master key (Base64 of 32 bytes); null means read or create {@code master.key}. */
  public ServerConfig withMasterKey(String value) {
    ServerConfig copy = copy();
    copy.masterKey = value == null ? null : SettingRules.requireMasterKey(value);
    return copy;
  }

  public ServerConfig withHeartbeatWindow(Duration value) {
    ServerConfig copy = copy();
    copy.heartbeatWindow = SettingRules.requirePositive(SettingNames.HEARTBEAT_WINDOW, value);
    return copy;
  }

  public ServerConfig withDeliveryWindow(Duration value) {
    ServerConfig copy = copy();
    copy.deliveryWindow = SettingRules.requirePositive(SettingNames.DELIVERY_WINDOW, value);
    return copy;
  }

  /** Sets the maximum time a poll is held open: at most 30 seconds, the protocol limit. */
  public ServerConfig withLongPollWait(Duration value) {
    ServerConfig copy = copy();
    copy.longPollWait = SettingRules.requireLongPollWait(value);
    return copy;
  }

  public ServerConfig withExecutionGrace(Duration value) {
    ServerConfig copy = copy();
    copy.executionGrace = SettingRules.requirePositive(SettingNames.EXECUTION_GRACE, value);
    return copy;
  }

  public ServerConfig withSweepInterval(Duration value) {
    ServerConfig copy = copy();
    copy.sweepInterval = SettingRules.requirePositive(SettingNames.SWEEP_INTERVAL, value);
    return copy;
  }

  public ServerConfig withRetentionDays(int value) {
    ServerConfig copy = copy();
    copy.retentionDays =
        (int) SettingRules.requireRange(SettingNames.RETENTION_DAYS, value, 1, 36_500);
    return copy;
  }

  public ServerConfig withRetentionMaxInvocations(int value) {
    ServerConfig copy = copy();
    copy.retentionMaxInvocations =
        (int)
            SettingRules.requireRange(
                SettingNames.RETENTION_MAX_INVOCATIONS, value, 1, Integer.MAX_VALUE);
    return copy;
  }

  /** Sets the time source of every deadline and time stamp (tests move a fake clock). */
  public ServerConfig withClock(InstantSource value) {
    ServerConfig copy = copy();
    copy.clock = Objects.requireNonNull(value, "clock");
    return copy;
  }

  /**
   * Serves HTTPS with this certificate chain and private key, both PEM files; null for both serves
   * plain HTTP. The files are read when the server starts.
   */
  public ServerConfig withTls(Path certificate, Path privateKey) {
    if ((certificate == null) != (privateKey == null)) {
      throw new IllegalArgumentException(
          "Setting "
              + SettingNames.TLS_CERT
              + " and "
              + SettingNames.TLS_KEY
              + " go together; set both to serve HTTPS or neither for HTTP.");
    }
    ServerConfig copy = copy();
    copy.tlsCert = certificate == null ? null : certificate.toAbsolutePath().normalize();
    copy.tlsKey = privateKey == null ? null : privateKey.toAbsolutePath().normalize();
    return copy;
  }

  /** Sets the API requests per second allowed to each AccessKey; 0 turns the limit off. */
  public ServerConfig withApiRateLimit(int value) {
    ServerConfig copy = copy();
    copy.apiRateLimit =
        (int) SettingRules.requireRange(SettingNames.API_RATE_LIMIT, value, 0, 1_000_000);
    return copy;
  }

  /** Sets the polls per minute allowed to each agent; 0 turns the limit off. */
  public ServerConfig withAgentPollRateLimit(int value) {
    ServerConfig copy = copy();
    copy.agentPollRateLimit =
        (int) SettingRules.requireRange(SettingNames.AGENT_POLL_RATE_LIMIT, value, 0, 1_000_000);
    return copy;
  }

  public String bindAddress() {
    return bindAddress;
  }

  public int port() {
    return port;
  }

  public Path dataDir() {
    return dataDir;
  }

  /**
   * Returns the JDBC URL: the configured one, or an H2 file database at {@code <data-dir>/db}. H2
   * writes commits to its file at most 5 s late ({@code WRITE_DELAY}); before a writer goes on, the
   * server records the write in its journal or writes H2's file itself (see {@code WriteJournal}
   * and {@code H2Flush}), so that a killed server loses no write it has returned. The server's code
   * has about 60 SQL statements, more than the 8 parsed statements H2 keeps per connection by
   * default, so it keeps 128.
   */
  public String databaseUrl() {
    if (databaseUrl != null) {
      return databaseUrl;
    }
    return "jdbc:h2:file:"
        + dataDir.resolve("db").resolve("deskrun")
        + ";QUERY_CACHE_SIZE=128;WRITE_DELAY=5000";
  }

  public String databaseUser() {
    return databaseUser;
  }

  public String databasePassword() {
    return databasePassword;
  }

  public int databasePoolSize() {
    return databasePoolSize;
  }

  public Set<String> regions() {
    return regions;
  }

  /** Returns the configured master key (Base64), or empty to use {@code <data-dir>/master.key}. */
  public Optional<String> masterKey() {
    return Optional.ofNullable(masterKey);
  }

  public Duration heartbeatWindow() {
    return heartbeatWindow;
  }

  public Duration deliveryWindow() {
    return deliveryWindow;
  }

  public Duration longPollWait() {
    return longPollWait;
  }

  public Duration executionGrace() {
    return executionGrace;
  }

  public Duration sweepInterval() {
    return sweepInterval;
  }

  public int retentionDays() {
    return retentionDays;
  }

  public int retentionMaxInvocations() {
    return retentionMaxInvocations;
  }

  public InstantSource clock() {
    return clock;
  }

  /** Returns the PEM certificate chain to serve HTTPS with, or empty for plain HTTP. */
  public Optional<Path> tlsCert() {
    return Optional.ofNullable(tlsCert);
  }

  /** Returns the PEM private key of {@link #tlsCert()}, or empty for plain HTTP. */
  public Optional<Path> tlsKey() {
    return Optional.ofNullable(tlsKey);
  }

  /** Returns the API requests per second allowed to each AccessKey, 0 for no limit. */
  public int apiRateLimit() {
    return apiRateLimit;
  }

  /** Returns the polls per minute allowed to each agent, 0 for no limit. */
  public int agentPollRateLimit() {
    return agentPollRateLimit;
  }

  /**
   * Describes the settings for the start-up log. The master key and the database password are left
   * out, also when the password is a property inside the JDBC URL.
   */
  @Override
  public String toString() {
    return "bind="
        + bindAddress
        + " port="
        + port
        + " data-dir="
        + dataDir
        + " database-url="
        + PASSWORD_IN_URL.matcher(databaseUrl()).replaceAll("$1***")
        + " database-pool-size="
        + databasePoolSize
        + " regions="
        + String.join(",", new TreeSet<>(regions))
        + " master-key="
        + (masterKey == null ? "file" : "configured")
        + " heartbeat-window-seconds="
        + heartbeatWindow.toSeconds()
        + " delivery-window-seconds="
        + deliveryWindow.toSeconds()
        + " long-poll-wait-seconds="
        + longPollWait.toSeconds()
        + " execution-grace-seconds="
        + executionGrace.toSeconds()
        + " sweep-interval-seconds="
        + sweepInterval.toSeconds()
        + " retention-days="
        + retentionDays
        + " retention-max-invocations="
        + retentionMaxInvocations
        + " tls="
        + (tlsCert == null ? "off" : tlsCert)
        + " api-rate-limit="
        + apiRateLimit
        + " agent-poll-rate-limit="
        + agentPollRateLimit;
  }
}
