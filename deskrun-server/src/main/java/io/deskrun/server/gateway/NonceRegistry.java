package io.deskrun.server.gateway;

import java.time.Instant;

/** Remembers signature nonces for the replay window. */
@FunctionalInterface
public interface NonceRegistry {
  /**
   * Records a nonce of an AccessKey and tells whether it is new. Returns false when the same key
   * used the same nonce and the earlier use has not yet expired; {@code expiresAt} is when this use
   * may be forgotten.
   */
  boolean register(String accessKeyId, String nonce, Instant expiresAt);
}
