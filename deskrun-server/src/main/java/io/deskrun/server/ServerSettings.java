package io.deskrun.server;

import java.nio.file.Path;
import java.util.Map;

/**
 * Reads server settings from, in rising precedence: defaults, a properties file, environment
 * variables, command-line flags. A bad value raises {@link IllegalArgumentException} whose message
 * names the setting, the value and the rule.
 */
public final class ServerSettings {
  private ServerSettings() {}

  /**
   * Loads the effective configuration. {@code configFile} may be null; {@code flags} maps setting
   * names (such as {@code port}, {@code bind}, {@code data-dir}) to the values given on the command
   * line.
   */
  public static ServerConfig load(
      Path configFile, Map<String, String> environment, Map<String, String> flags) {
    throw new UnsupportedOperationException("contract stub: " + configFile + environment + flags);
  }
}
