package io.deskrun.server.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.deskrun.server.gateway.RawClient.Reply;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The replay store and the 15-minute window of the real server, on a clock the test moves: nonces
 * outlive a restart, and request times are accepted up to exactly 15 minutes either way.
 */
class ReplayAndTimeTest {
  @TempDir Path dir;

  private final AtomicReference<Instant> now =
      new AtomicReference<>(Instant.now().truncatedTo(ChronoUnit.SECONDS));

  private LiveServer start() throws Exception {
    return LiveServer.start(dir, config -> config.withClock(now::get));
  }

  private static Map<String, String> signedAt(LiveServer server, Instant time) {
    return server.raw().sign("GET", server.raw().parameters("DescribeInvocations", time));
  }

  @Test
  void get_nonceUsedBeforeRestart_signatureNonceUsedAfterRestart() throws Exception {
    Map<String, String> signed;
    try (LiveServer server = start()) {
      signed = signedAt(server, now.get());
      assertThat(server.raw().get(RawClient.encode(signed)).status()).isEqualTo(200);
    }

    try (LiveServer restarted = start()) {
      Reply replay = restarted.raw().get(RawClient.encode(signed));

      assertThat(replay.status()).isEqualTo(400);
      assertThat(replay.field("Code")).isEqualTo("SignatureNonceUsed");
      assertThat(replay.field("Message")).contains(signed.get("SignatureNonce"));
    }
  }

  @Test
  void get_sameNonceAfterWindow_acceptedAgain() throws Exception {
    try (LiveServer server = start()) {
      Map<String, String> first = signedAt(server, now.get());
      assertThat(server.raw().get(RawClient.encode(first)).status()).isEqualTo(200);

      now.updateAndGet(time -> time.plus(Duration.ofMinutes(15)).plusSeconds(1));
      Map<String, String> again = server.raw().parameters("DescribeInvocations", now.get());
      again.put("SignatureNonce", first.get("SignatureNonce"));
      Reply reply = server.raw().get(RawClient.encode(server.raw().sign("GET", again)));

      assertThat(reply.status()).as(reply.body()).isEqualTo(200);
    }
  }

  @Test
  void get_sameNonceJustInsideWindow_stillRejected() throws Exception {
    try (LiveServer server = start()) {
      Map<String, String> first = signedAt(server, now.get());
      assertThat(server.raw().get(RawClient.encode(first)).status()).isEqualTo(200);

      now.updateAndGet(time -> time.plus(Duration.ofMinutes(15)).minusSeconds(1));
      Map<String, String> again = server.raw().parameters("DescribeInvocations", now.get());
      again.put("SignatureNonce", first.get("SignatureNonce"));
      Reply reply = server.raw().get(RawClient.encode(server.raw().sign("GET", again)));

      assertThat(reply.field("Code")).isEqualTo("SignatureNonceUsed");
    }
  }

  @ParameterizedTest(name = "{0} s from server time: {1}")
  @CsvSource({
    "-901, InvalidTimeStamp.Expired",
    "-900, ",
    "-899, ",
    "0, ",
    "899, ",
    "900, ",
    "901, InvalidTimeStamp.Expired"
  })
  void get_timestampAtWindowEdge_acceptedUpToFifteenMinutes(long offsetSeconds, String code)
      throws Exception {
    try (LiveServer server = start()) {
      Reply reply =
          server
              .raw()
              .get(RawClient.encode(signedAt(server, now.get().plusSeconds(offsetSeconds))));

      assertThat(reply.field("Code")).as(reply.body()).isEqualTo(code);
      assertThat(reply.status()).isEqualTo(code == null ? 200 : 400);
    }
  }

  @ParameterizedTest(name = "x-acs-date {0} s from server time: {1}")
  @CsvSource({"-901, InvalidTimeStamp.Expired", "-900, ", "900, ", "901, InvalidTimeStamp.Expired"})
  void postV3_dateAtWindowEdge_acceptedUpToFifteenMinutes(long offsetSeconds, String code)
      throws Exception {
    try (LiveServer server = start()) {
      Reply reply =
          server
              .raw()
              .postV3(
                  "DescribeInvocations",
                  Map.of("RegionId", LiveServer.REGION),
                  now.get().plusSeconds(offsetSeconds),
                  List.of(
                      "host",
                      "x-acs-action",
                      "x-acs-content-sha256",
                      "x-acs-date",
                      "x-acs-signature-nonce",
                      "x-acs-version"),
                  headers -> {});

      assertThat(reply.field("Code")).as(reply.body()).isEqualTo(code);
    }
  }
}
