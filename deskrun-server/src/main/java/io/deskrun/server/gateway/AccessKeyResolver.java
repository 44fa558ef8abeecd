package io.deskrun.server.gateway;

import java.util.Optional;

/** Looks up the AccessKey a request claims to be signed with. */
@FunctionalInterface
public interface AccessKeyResolver {
  Optional<AccessKey> find(String accessKeyId);
}
