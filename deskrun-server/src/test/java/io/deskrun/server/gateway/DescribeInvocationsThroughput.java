package io.deskrun.server.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Measures signed DescribeInvocations requests per second against the real server over loopback,
 * from one client thread on a kept-alive connection, with 20 invocations in the account. Not part
 * of the default test run because its name does not end in Test; run it with {@code ./mvnw -B -pl
 * deskrun-server -am -Dtest=DescribeInvocationsThroughput -Dsurefire.failIfNoSpecifiedTests=false
 * test} and read the figure in {@code
 * deskrun-server/target/surefire-reports/io.deskrun.server.gateway.DescribeInvocationsThroughput-output.txt}.
 */
class DescribeInvocationsThroughput {
  private static final int WARM_UP = 500;
  private static final int REQUESTS = 5_000;
  private static final Duration TIME_LIMIT = Duration.ofSeconds(60);

  @TempDir Path dir;

  @Test
  void describeInvocations_signedV1Loop_requestsPerSecond() throws Exception {
    try (LiveServer server = LiveServer.start(dir, config -> config.withApiRateLimit(0));
        HttpClient http = HttpClient.newHttpClient()) {
      String desktopId = server.enrollWithoutAgent();
      for (int i = 0; i < 20; i++) {
        server.callAction(
            "RunCommand",
            Map.of(
                "DesktopId.1", desktopId, "Type", "RunShellScript", "CommandContent", "echo " + i));
      }

      send(server, http, WARM_UP, TIME_LIMIT);
      long started = System.nanoTime();
      int sent = send(server, http, REQUESTS, TIME_LIMIT);
      double seconds = (System.nanoTime() - started) / 1e9;

      System.out.printf(
          "Signed DescribeInvocations (MaxResults=10, 20 invocations): %d requests in %.2f s,"
              + " %.0f requests/s from one client thread%n",
          sent, seconds, sent / seconds);
    }
  }

  private static int send(LiveServer server, HttpClient http, int count, Duration limit)
      throws Exception {
    long deadline = System.nanoTime() + limit.toNanos();
    int sent = 0;
    while (sent < count && System.nanoTime() < deadline) {
      RawClient raw = server.raw();
      String query =
          RawClient.encode(raw.sign("GET", raw.parameters("DescribeInvocations", Instant.now())));
      HttpRequest request =
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/?" + query))
              .timeout(Duration.ofSeconds(10))
              .build();
      HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
      sent++;
    }
    return sent;
  }
}
