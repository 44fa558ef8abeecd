package io.deskrun.cli.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * Finds the credentials of a client command, first match wins:
 *
 * <ol>
 *   <li>an explicit {@code --data-dir}: everything from its {@code bootstrap-credentials.json};
 *   <li>{@code ALIBABA_CLOUD_ACCESS_KEY_ID} and {@code ALIBABA_CLOUD_ACCESS_KEY_SECRET}, with
 *       {@code DESKRUN_ENDPOINT} (default {@value #DEFAULT_ENDPOINT}) and {@code DESKRUN_REGION_ID}
 *       (default {@value #DEFAULT_REGION_ID});
 *   <li>the bootstrap file in {@code ./data}, where {@code deskrun server} writes it by default.
 * </ol>
 */
public final class CredentialsResolver {
  public static final String ACCESS_KEY_ID = "ALIBABA_CLOUD_ACCESS_KEY_ID";
  public static final String ACCESS_KEY_SECRET = "ALIBABA_CLOUD_ACCESS_KEY_SECRET";
  public static final String ENDPOINT = "DESKRUN_ENDPOINT";
  public static final String REGION_ID = "DESKRUN_REGION_ID";
  public static final String DEFAULT_ENDPOINT = "127.0.0.1:8080";
  public static final String DEFAULT_REGION_ID = "cn-hangzhou";
  public static final String BOOTSTRAP_FILE = "bootstrap-credentials.json";

  private static final Path DEFAULT_DATA_DIR = Path.of("data");

  private CredentialsResolver() {}

  /**
   * Resolves the credentials.
   *
   * @param dataDir the {@code --data-dir} given on the command line, or null
   * @param environment the process environment
   * @throws CredentialsException when no source is complete, naming what is missing
   */
  public static Credentials resolve(Path dataDir, Map<String, String> environment) {
    return resolve(dataDir, environment, DEFAULT_DATA_DIR);
  }

  static Credentials resolve(Path dataDir, Map<String, String> environment, Path defaultDataDir) {
    if (dataDir != null) {
      return fromBootstrapFile(dataDir.resolve(BOOTSTRAP_FILE));
    }

    String keyId = nonBlank(environment.get(ACCESS_KEY_ID));
    String secret = nonBlank(environment.get(ACCESS_KEY_SECRET));
    if (keyId != null || secret != null) {
      return fromEnvironment(keyId, secret, environment);
    }

    Path defaultFile = defaultDataDir.resolve(BOOTSTRAP_FILE);
    if (Files.isRegularFile(defaultFile)) {
      return fromBootstrapFile(defaultFile);
    }
    throw new CredentialsException(
        "No credentials: set "
            + ACCESS_KEY_ID
            + " and "
            + ACCESS_KEY_SECRET
            + " (and "
            + ENDPOINT
            + "), or pass --data-dir with the server's data directory; "
            + defaultFile.toAbsolutePath()
            + " does not exist");
  }

  private static Credentials fromEnvironment(
      String keyId, String secret, Map<String, String> environment) {
    if (keyId == null) {
      throw new CredentialsException(
          ACCESS_KEY_SECRET + " is set but " + ACCESS_KEY_ID + " is not");
    }
    if (secret == null) {
      throw new CredentialsException(
          ACCESS_KEY_ID + " is set but " + ACCESS_KEY_SECRET + " is not");
    }

    String endpoint = orDefault(environment.get(ENDPOINT), DEFAULT_ENDPOINT);
    String regionId = orDefault(environment.get(REGION_ID), DEFAULT_REGION_ID);
    return new Credentials(keyId, secret, endpoint, regionId);
  }

  /**
   * Reads a bootstrap credentials file as the server writes it. {@code Protocol} ({@code http} or
   * {@code https}) applies to an {@code Endpoint} without a scheme. Files written before the field
   * existed have none, which means {@code http}.
   */
  public static Credentials fromBootstrapFile(Path file) {
    JsonNode json = readJson(file);
    String endpoint = requiredField(json, "Endpoint", file);
    // A bare host:port already means plain HTTP to the client.
    if (protocol(json, file).equals("https") && !endpoint.contains("://")) {
      endpoint = "https://" + endpoint;
    }
    return new Credentials(
        requiredField(json, "AccessKeyId", file),
        requiredField(json, "AccessKeySecret", file),
        endpoint,
        orDefault(json.path("RegionId").asText(null), DEFAULT_REGION_ID));
  }

  private static String protocol(JsonNode json, Path file) {
    String protocol = orDefault(json.path("Protocol").asText(null), "http");
    String lower = protocol.toLowerCase(Locale.ROOT);
    if (!lower.equals("http") && !lower.equals("https")) {
      throw new CredentialsException(
          file + " has Protocol \"" + protocol + "\"; expected http or https");
    }
    return lower;
  }

  private static JsonNode readJson(Path file) {
    try {
      JsonNode json = new ObjectMapper().readTree(file.toFile());
      if (json == null || !json.isObject()) {
        throw new CredentialsException(file + " does not contain a JSON object");
      }
      return json;
    } catch (NoSuchFileException e) {
      throw missingFile(file, e);
    } catch (IOException e) {
      if (!Files.exists(file)) {
        throw missingFile(file, e);
      }
      throw new CredentialsException("Cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  private static CredentialsException missingFile(Path file, IOException cause) {
    return new CredentialsException(
        file + " does not exist; start `deskrun server` with this data directory first", cause);
  }

  private static String requiredField(JsonNode json, String name, Path file) {
    String value = nonBlank(json.path(name).asText(null));
    if (value == null) {
      throw new CredentialsException(file + " has no " + name);
    }
    return value;
  }

  private static String orDefault(String value, String defaultValue) {
    String present = nonBlank(value);
    return present == null ? defaultValue : present;
  }

  private static String nonBlank(String value) {
    return value == null || value.isBlank() ? null : value.strip();
  }
}
