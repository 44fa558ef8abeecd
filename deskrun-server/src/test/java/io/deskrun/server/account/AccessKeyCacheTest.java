package io.deskrun.server.account;

import static org.assertj.core.api.Assertions.assertThat;

import io.deskrun.server.gateway.AccessKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class AccessKeyCacheTest {
  private static final String KEY_ID = "LTAIcached";

  private final AtomicLong now = new AtomicLong(1_000_000);
  private final AccessKeyCache cache = new AccessKeyCache(() -> Instant.ofEpochMilli(now.get()));
  private final List<String> reads = new ArrayList<>();

  private Optional<AccessKey> load(String accessKeyId) {
    reads.add(accessKeyId);
    if (!accessKeyId.startsWith("LTAI")) {
      return Optional.empty();
    }
    return Optional.of(new AccessKey(accessKeyId, "default", "secret", true));
  }

  @Test
  void get_withinTimeToLive_readsOnce() {
    cache.get(KEY_ID, this::load);
    now.addAndGet(AccessKeyCache.TIME_TO_LIVE.toMillis() - 1);

    Optional<AccessKey> key = cache.get(KEY_ID, this::load);

    assertThat(key).isPresent();
    assertThat(reads).containsExactly(KEY_ID);
  }

  @Test
  void get_afterTimeToLive_readsAgain() {
    cache.get(KEY_ID, this::load);
    now.addAndGet(AccessKeyCache.TIME_TO_LIVE.toMillis());

    cache.get(KEY_ID, this::load);

    assertThat(reads).containsExactly(KEY_ID, KEY_ID);
  }

  @Test
  void get_afterInvalidate_readsAgain() {
    cache.get(KEY_ID, this::load);
    cache.invalidate(KEY_ID);

    cache.get(KEY_ID, this::load);

    assertThat(reads).containsExactly(KEY_ID, KEY_ID);
  }

  @Test
  void get_unknownKey_notCached() {
    cache.get("unknown", this::load);

    Optional<AccessKey> key = cache.get("unknown", this::load);

    assertThat(key).isEmpty();
    assertThat(reads).containsExactly("unknown", "unknown");
  }

  @Test
  void get_fullCache_staysWithinMaxEntries() {
    for (int i = 0; i <= AccessKeyCache.MAX_ENTRIES; i++) {
      cache.get("LTAI" + i, this::load);
    }
    reads.clear();

    cache.get("LTAI" + AccessKeyCache.MAX_ENTRIES, this::load);
    cache.get("LTAI0", this::load);

    assertThat(reads).containsExactly("LTAI0");
  }
}
