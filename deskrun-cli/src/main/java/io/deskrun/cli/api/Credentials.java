package io.deskrun.cli.api;

import java.net.URI;

/**
 * The settings a client needs to call the API: an AccessKey pair, the endpoint ({@code host:port}
 * or a full {@code http://} / {@code https://} URL) and the region sent as {@code RegionId}.
 */
public record Credentials(
    String accessKeyId, String accessKeySecret, String endpoint, String regionId) {

  /** Returns the base URI of the endpoint; a bare {@code host:port} means plain HTTP. */
  public URI endpointUri() {
    String withScheme = endpoint.contains("://") ? endpoint : "http://" + endpoint;
    URI uri = URI.create(withScheme);
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
