package io.deskrun.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.deskrun.protocol.AgentProtocol;
import io.deskrun.protocol.PollRequest;
import io.deskrun.protocol.PollResponse;
import io.deskrun.server.dispatch.AgentChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The agent channel while the server stops: open polls end at once, new ones get 503. */
class AgentChannelShutdownTest {
  @TempDir Path dataDir;
  private ServerFixture server;

  @BeforeEach
  void start() {
    server = new ServerFixture(dataDir);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void close_openPoll_answeredEmptyAtOnce() throws Exception {
    ServerFixture.Enrolled desktop = server.enrollDesktop();
    CompletableFuture<PollResponse> poll =
        CompletableFuture.supplyAsync(() -> server.poll(desktop, 1, 5, List.of()));
    Thread.sleep(500);

    long start = System.nanoTime();
    server.components.agentChannel.close();
    PollResponse response = poll.get(10, TimeUnit.SECONDS);

    assertThat(response.tasks()).isEmpty();
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(4));
  }

  @Test
  void close_laterPoll_serviceUnavailable() {
    ServerFixture.Enrolled desktop = server.enrollDesktop();
    server.components.agentChannel.close();

    ServerFixture.Rejected rejected =
        server.postRejected(
            AgentProtocol.POLL_PATH,
            desktop.credential(),
            new PollRequest(1, 5, null, null, null, List.of()));

    assertThat(rejected.status()).isEqualTo(503);
    assertThat(rejected.error().code()).isEqualTo(AgentChannel.SHUTTING_DOWN);
  }
}
