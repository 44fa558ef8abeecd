package io.deskrun.server;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * Reads server settings from, in rising precedence: defaults, a properties file, environment
 * variables, command-line flags. A bad value raises {@link IllegalArgumentException} whose message
 * names the setting, the value and the rule.
 *
 * <p>The names are listed in {@code docs/configuration.md}. The file and the flags use the names
 * themselves ({@code port}, {@code data-dir}, ...); an unknown name there is an error. Environment
 * variables are {@code DESKRUN_} plus the name in upper case with {@code _} for {@code -}; other
 * {@code DESKRUN_*} variables are ignored, because scripts and the agent use that prefix too.
 */
public final class ServerSettings {
  private static final Path DEFAULT_DATA_DIR = Path.of("data");

  private ServerSettings() {}

  /**
   * Loads the effective configuration. {@code configFile} may be null; {@code flags} maps setting
   * names (such as {@code port}, {@code bind}, {@code data-dir}) to the values given on the command
   * line.
   *
   * @throws IllegalArgumentException for an unreadable file, an unknown name in the file or flags,
   *     or a bad value
   */
  public static ServerConfig load(
      Path configFile, Map<String, String> environment, Map<String, String> flags) {
    Map<String, String> values = new HashMap<>();
    if (configFile != null) {
      values.putAll(checkedNames(readFile(configFile), "the file " + configFile));
    }
    values.putAll(fromEnvironment(environment));
    values.putAll(checkedNames(flags, "the command-line flags"));
    return apply(values);
  }

  private static String describe(IOException e) {
    if (e instanceof java.nio.file.NoSuchFileException) {
      return "no such file";
    }
    if (e instanceof java.nio.file.AccessDeniedException) {
      return "permission denied";
    }
    return e.toString();
  }

  private static Map<String, String> readFile(Path configFile) {
    Properties properties = new Properties();
    try (Reader reader = Files.newBufferedReader(configFile, StandardCharsets.UTF_8)) {
      properties.load(reader);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "Cannot read the settings file " + configFile + ": " + describe(e), e);
    }
    Map<String, String> values = new HashMap<>();
    properties
        .stringPropertyNames()
        .forEach(name -> values.put(name, properties.getProperty(name)));
    return values;
  }

  private static Map<String, String> checkedNames(Map<String, String> values, String source) {
    for (String name : values.keySet()) {
      if (!SettingNames.ALL.contains(name)) {
        throw new IllegalArgumentException(
            "Unknown setting \""
                + name
                + "\" in "
                + source
                + "; known settings: "
                + String.join(", ", SettingNames.ALL)
                + ".");
      }
    }
    return values;
  }

  private static Map<String, String> fromEnvironment(Map<String, String> environment) {
    Map<String, String> values = new HashMap<>();
    for (String name : SettingNames.ALL) {
      String value = environment.get(SettingNames.environmentVariable(name));
      if (value != null) {
        values.put(name, value);
      }
    }
    return values;
  }

  private static ServerConfig apply(Map<String, String> values) {
    String dataDir = values.get(SettingNames.DATA_DIR);
    ServerConfig config =
        ServerConfig.defaults(
            dataDir == null
                ? DEFAULT_DATA_DIR
                : Path.of(SettingRules.requireNonBlank(SettingNames.DATA_DIR, dataDir)));
    for (Map.Entry<String, String> entry : values.entrySet()) {
      config = applyOne(config, entry.getKey(), entry.getValue());
    }
    return applyTls(config, values.get(SettingNames.TLS_CERT), values.get(SettingNames.TLS_KEY));
  }

  private static ServerConfig applyOne(ServerConfig config, String name, String value) {
    return switch (name) {
      case SettingNames.BIND -> config.withBindAddress(SettingRules.requireNonBlank(name, value));
      case SettingNames.PORT ->
          config.withPort((int) SettingRules.parseRange(name, value, 0, 65_535));
      case SettingNames.DATA_DIR -> config;
      case SettingNames.DATABASE_URL -> config.withDatabaseUrl(value.strip());
      case SettingNames.DATABASE_USER ->
          config.withDatabaseCredentials(value, config.databasePassword());
      case SettingNames.DATABASE_PASSWORD ->
          config.withDatabaseCredentials(config.databaseUser(), value);
      case SettingNames.DATABASE_POOL_SIZE ->
          config.withDatabasePoolSize((int) SettingRules.parseRange(name, value, 2, 1000));
      case SettingNames.REGIONS -> config.withRegions(parseRegions(value));
      case SettingNames.MASTER_KEY -> config.withMasterKey(value);
      case SettingNames.HEARTBEAT_WINDOW -> config.withHeartbeatWindow(seconds(name, value));
      case SettingNames.DELIVERY_WINDOW -> config.withDeliveryWindow(seconds(name, value));
      case SettingNames.LONG_POLL_WAIT -> config.withLongPollWait(seconds(name, value));
      case SettingNames.EXECUTION_GRACE -> config.withExecutionGrace(seconds(name, value));
      case SettingNames.SWEEP_INTERVAL -> config.withSweepInterval(seconds(name, value));
      case SettingNames.RETENTION_DAYS ->
          config.withRetentionDays((int) SettingRules.parseRange(name, value, 1, 36_500));
      case SettingNames.RETENTION_MAX_INVOCATIONS ->
          config.withRetentionMaxInvocations(
              (int) SettingRules.parseRange(name, value, 1, Integer.MAX_VALUE));
      case SettingNames.TLS_CERT, SettingNames.TLS_KEY -> config;
      case SettingNames.API_RATE_LIMIT ->
          config.withApiRateLimit((int) SettingRules.parseRange(name, value, 0, 1_000_000));
      case SettingNames.AGENT_POLL_RATE_LIMIT ->
          config.withAgentPollRateLimit((int) SettingRules.parseRange(name, value, 0, 1_000_000));
      default -> throw new IllegalArgumentException("Unknown setting \"" + name + "\".");
    };
  }

  /** Sets the two TLS files together, since one without the other is an error. */
  private static ServerConfig applyTls(ServerConfig config, String certificate, String privateKey) {
    Path cert =
        certificate == null
            ? null
            : Path.of(SettingRules.requireNonBlank(SettingNames.TLS_CERT, certificate));
    Path key =
        privateKey == null
            ? null
            : Path.of(SettingRules.requireNonBlank(SettingNames.TLS_KEY, privateKey));
    return config.withTls(cert, key);
  }

  private static Duration seconds(String name, String value) {
    return Duration.ofSeconds(SettingRules.parseRange(name, value, 1, 31_536_000));
  }

  private static Set<String> parseRegions(String value) {
    Set<String> regions = new LinkedHashSet<>();
    Arrays.stream(value.split(",")).map(String::strip).forEach(regions::add);
    return regions;
  }
}
