package io.deskrun.server.gateway;

import io.helidon.webserver.WebServer;
import io.helidon.webserver.WebServerConfig;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A Helidon server on a free loopback port serving a {@link Gateway} with two AccessKeys ({@code
 * testid} active, {@code disabledid} inactive) and the given action handlers.
 */
final class TestGateway implements AutoCloseable {
  static final String KEY_ID = "testid";
  static final String SECRET = "testsecret";
  static final String DISABLED_KEY_ID = "disabledid";
  static final String ACCOUNT_ID = "account-1";
  static final String REGION = "cn-hangzhou";

  private final WebServer server;
  private final AtomicReference<Instant> lastNonceExpiry = new AtomicReference<>();

  TestGateway(Map<String, ActionHandler> actions, InstantSource clock) {
    Map<String, AccessKey> keys =
        Map.of(
            KEY_ID, new AccessKey(KEY_ID, ACCOUNT_ID, SECRET, true),
            DISABLED_KEY_ID, new AccessKey(DISABLED_KEY_ID, ACCOUNT_ID, SECRET, false));
    Set<String> seenNonces = ConcurrentHashMap.newKeySet();
    Gateway gateway =
        new Gateway(
            Set.of(REGION, "cn-shanghai"),
            id -> Optional.ofNullable(keys.get(id)),
            (keyId, nonce, expiresAt) -> {
              lastNonceExpiry.set(expiresAt);
              return seenNonces.add(keyId + "/" + nonce);
            },
            actions,
            clock);

    WebServerConfig.Builder builder = WebServer.builder().host("127.0.0.1").port(0);
    Gateway.configureServer(builder);
    builder.routing(routing -> routing.any("/", gateway));
    server = builder.build().start();
  }

  /** Returns the expiry the gateway gave with the last nonce it registered. */
  Instant lastNonceExpiry() {
    return lastNonceExpiry.get();
  }

  int port() {
    return server.port();
  }

  @Override
  public void close() {
    server.stop();
  }
}
