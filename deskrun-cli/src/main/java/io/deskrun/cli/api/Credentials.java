package io.deskrun.cli.api;

import java.net.URI;

/**
 * The settings a client needs to call the API: an AccessKey pair, the endpoint ({@code host:port}
 * or a full {@code http://} / {@code https://} URL) and the region sent as {@code RegionId}.
 */
public record Credentials(
    String accessKeyId, String accessKeySecret, String endpoint, String regionId) {

  /**
   * Returns the base URI of the endpoint; a bare {@code host:port} means plain HTTP.
   *
   * @throws CredentialsException when the endpoint is not a valid host:port or URL
   */
  public URI endpointUri() {
    String withScheme = endpoint.contains("://") ? endpoint : "http://" + endpoint;
    URI uri;
    try {
      uri = URI.create(withScheme);
    } catch (IllegalArgumentException e) {
      throw new CredentialsException(
          "Invalid endpoint \""
              + endpoint
              + "\": expected host:port or an http:// or https:// URL, as in 127.0.0.1:8080.",
          e);
    }
    if (uri.getHost() == null) {
      throw new CredentialsException(
          "Invalid endpoint \"" + endpoint + "\": it names no host; expected host:port.");
    }
    return uri.getPath() == null || uri.getPath().isEmpty() ? uri.resolve("/") : uri;
  }

  /** Hides the secret, so a record printed by mistake does not leak it. */
  @Override
  public String toString() {
    return "Credentials[accessKeyId="
        + accessKeyId
        + ", endpoint="
        + endpoint
        + ", regionId="
        + regionId
        + "]";
  }
}
