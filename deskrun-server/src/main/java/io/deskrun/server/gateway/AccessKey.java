package io.deskrun.server.gateway;

/**
 * An AccessKey as the gateway needs it to check a signature: the secret in plain text, and whether
 * the key may only read ({@link #readOnly}), which limits it to the {@code Describe*} actions.
 */
public record AccessKey(
    String accessKeyId, String accountId, String secret, boolean active, boolean readOnly) {
  /** Creates a key with full permissions. */
  public AccessKey(String accessKeyId, String accountId, String secret, boolean active) {
    this(accessKeyId, accountId, secret, active, false);
  }

  /** Returns true when the key may call {@code action}: every action, or only reads. */
  public boolean mayCall(String action) {
    return !readOnly || action.startsWith("Describe");
  }
}
