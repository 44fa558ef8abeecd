package io.deskrun.server.account;

import io.deskrun.server.gateway.AccessKey;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Recently resolved AccessKeys, so that a client sending many requests does not cost a database
 * read and an AES-GCM decryption on each. An entry lives for {@link #TIME_TO_LIVE}, which bounds
 * how long a key disabled by another server sharing the database is still accepted here.
 */
final class AccessKeyCache {
  /** How long an entry is used before the key is read again. */
  static final Duration TIME_TO_LIVE = Duration.ofSeconds(2);

  /** Maximum number of keys kept. A full cache is emptied, so its heap use stays bounded. */
  static final int MAX_ENTRIES = 1_000;

  private record Entry(Optional<AccessKey> key, long expiresAt) {}

  private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();
  private final InstantSource clock;

  AccessKeyCache(InstantSource clock) {
    this.clock = clock;
  }

  /** Returns the cached key when its entry is still live, else loads, caches and returns it. */
  Optional<AccessKey> get(String accessKeyId, Function<String, Optional<AccessKey>> loader) {
    long now = clock.millis();
    Entry entry = entries.get(accessKeyId);
    if (entry != null && now < entry.expiresAt()) {
      return entry.key();
    }

    Optional<AccessKey> key = loader.apply(accessKeyId);
    if (key.isPresent()) {
      if (entries.size() >= MAX_ENTRIES) {
        entries.clear();
      }
      entries.put(accessKeyId, new Entry(key, now + TIME_TO_LIVE.toMillis()));
    } else {
      entries.remove(accessKeyId);
    }
    return key;
  }

  /** Drops the key, so the next lookup reads its changed state from the database. */
  void invalidate(String accessKeyId) {
    entries.remove(accessKeyId);
  }
}
