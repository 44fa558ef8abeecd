package io.deskrun.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.deskrun.agent.enroll.Identity;
import io.deskrun.agent.exec.RunReports;
import io.deskrun.agent.journal.Journal;
import io.deskrun.agent.poll.Backoff;
import io.deskrun.agent.poll.ServerClient;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The result sender against a loopback HTTP server that responds 503 until the test makes it
 * available: runs that end while the server is away do not make it try again before its back-off
 * delay.
 */
class ResultSenderTest {
  private static final Duration DELAY = Duration.ofSeconds(5);

  @TempDir Path dir;
  HttpServer server;
  final AtomicInteger requests = new AtomicInteger();
  final AtomicBoolean available = new AtomicBoolean();
  Journal journal;
  Thread senderThread;

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", this::answer);
    server.start();
    journal = Journal.open(dir, InstantSource.system(), Duration.ofDays(7), 100);
  }

  @AfterEach
  void stop() throws Exception {
    if (senderThread != null) {
      senderThread.interrupt();
      senderThread.join(5_000);
    }
    journal.close();
    server.stop(0);
  }

  @Test
  void run_runsEndWhileUnavailable_waitsOutBackoff() throws Exception {
    storeResult("t-first");
    ResultSender sender = startSender();
    awaitRequests(1);

    for (int i = 0; i < 20; i++) {
      storeResult("t-more" + i);
      sender.wake();
      Thread.sleep(50);
    }

    assertThat(requests.get()).isEqualTo(1);
  }

  @Test
  void run_serverBack_resultsSentAfterDelay() throws Exception {
    storeResult("t-first");
    startSender();
    awaitRequests(1);

    available.set(true);
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!journal.unconfirmedResults().isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }

    assertThat(journal.unconfirmedResults()).isEmpty();
  }

  /** Records a run as started and ended, as the dispatcher does before it wakes the sender. */
  private void storeResult(String invokeId) throws IOException {
    assertThat(journal.tryStart(invokeId)).isTrue();
    journal.storeResult(RunReports.interrupted(invokeId));
  }

  private ResultSender startSender() {
    ServerClient client =
        new ServerClient(
            URI.create(
                "http://"
                    + server.getAddress().getHostString()
                    + ":"
                    + server.getAddress().getPort()));
    ResultSender sender =
        new ResultSender(
            client,
            new Identity("ecd-sender", "token"),
            journal,
            new Backoff(DELAY, DELAY, new Random(1)),
            () -> {});
    senderThread = Thread.ofVirtual().name("result-sender-test").start(sender::run);
    return sender;
  }

  private void awaitRequests(int count) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (requests.get() < count && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(requests.get()).isGreaterThanOrEqualTo(count);
  }

  private void answer(HttpExchange exchange) throws IOException {
    exchange.getRequestBody().readAllBytes();
    requests.incrementAndGet();
    boolean up = available.get();
    byte[] body =
        (up
                ? "{}"
                : "{\"code\":\"ServiceUnavailable\",\"message\":\"The server is shutting down.\"}")
            .getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json;charset=utf-8");
    exchange.sendResponseHeaders(up ? 200 : 503, body.length);
    exchange.getResponseBody().write(body);
    exchange.close();
  }
}
