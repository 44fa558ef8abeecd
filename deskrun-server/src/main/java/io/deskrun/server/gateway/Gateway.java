package io.deskrun.server.gateway;

import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.time.InstantSource;
import java.util.Map;
import java.util.Set;

/**
 * The OpenAPI endpoint on {@code /}: reads the parameters, checks the signature, the time window
 * and the nonce, the version and the region, calls the action handler, and writes the envelope.
 */
public final class Gateway implements Handler {

  /**
   * @param regions the region ids this server serves
   * @param accessKeys resolves the AccessKeyId of a request
   * @param nonces the replay store
   * @param actions handlers by action name
   * @param clock the time used for the 15-minute window
   */
  public Gateway(
      Set<String> regions,
      AccessKeyResolver accessKeys,
      NonceRegistry nonces,
      Map<String, ActionHandler> actions,
      InstantSource clock) {
    throw new UnsupportedOperationException(
        "contract stub: " + regions + accessKeys + nonces + actions + clock);
  }

  @Override
  public void handle(ServerRequest request, ServerResponse response) {
    throw new UnsupportedOperationException("contract stub: " + request + response);
  }
}
