package io.deskrun.server;

import java.util.List;

/**
 * Setting names as used in the properties file and as command-line flags; the environment variable
 * of each is {@code DESKRUN_} plus the name in upper case with {@code -} as {@code _}.
 */
final class SettingNames {
  static final String BIND = "bind";
  static final String PORT = "port";
  static final String DATA_DIR = "data-dir";
  static final String DATABASE_URL = "database-url";
  static final String DATABASE_USER = "database-user";
  static final String DATABASE_PASSWORD = "database-password";
  static final String DATABASE_POOL_SIZE = "database-pool-size";
  static final String REGIONS = "regions";
  static final String MASTER_KEY = "master-key";
  static final String HEARTBEAT_WINDOW = "heartbeat-window-seconds";
  static final String DELIVERY_WINDOW = "delivery-window-seconds";
  static final String LONG_POLL_WAIT = "long-poll-wait-seconds";
  static final String EXECUTION_GRACE = "execution-grace-seconds";
  static final String SWEEP_INTERVAL = "sweep-interval-seconds";
  static final String RETENTION_DAYS = "retention-days";
  static final String RETENTION_MAX_INVOCATIONS = "retention-max-invocations";
  static final String TLS_CERT = "tls-cert";
  static final String TLS_KEY = "tls-key";
  static final String API_RATE_LIMIT = "api-rate-limit";
  static final String AGENT_POLL_RATE_LIMIT = "agent-poll-rate-limit";

  static final List<String> ALL =
      List.of(
          BIND,
          PORT,
          DATA_DIR,
          DATABASE_URL,
          DATABASE_USER,
          DATABASE_PASSWORD,
          DATABASE_POOL_SIZE,
          REGIONS,
          MASTER_KEY,
          HEARTBEAT_WINDOW,
          DELIVERY_WINDOW,
          LONG_POLL_WAIT,
          EXECUTION_GRACE,
          SWEEP_INTERVAL,
          RETENTION_DAYS,
          RETENTION_MAX_INVOCATIONS,
          TLS_CERT,
          TLS_KEY,
          API_RATE_LIMIT,
          AGENT_POLL_RATE_LIMIT);

  private SettingNames() {}

  static String environmentVariable(String name) {
    return "DESKRUN_" + name.toUpperCase(java.util.Locale.ROOT).replace('-', '_');
  }
}
