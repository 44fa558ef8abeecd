package io.deskrun.server.gateway;

/** An AccessKey as the gateway needs it to check a signature: the secret in plain text. */
public record AccessKey(String accessKeyId, String accountId, String secret, boolean active) {}
