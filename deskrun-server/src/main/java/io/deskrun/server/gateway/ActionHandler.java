package io.deskrun.server.gateway;

import java.util.Map;

/**
 * One API action. The gateway has already checked the signature, the version and the region; the
 * handler validates its own parameters and returns the response fields (without {@code RequestId}).
 * Values are String, Number, Boolean, null (left out), nested maps, or lists of maps.
 */
@FunctionalInterface
public interface ActionHandler {
  Map<String, Object> handle(ApiRequest request);
}
