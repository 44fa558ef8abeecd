package io.deskrun.agent.poll;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.deskrun.agent.enroll.Identity;
import io.deskrun.protocol.AgentError;
import io.deskrun.protocol.AgentProtocol;
import io.deskrun.protocol.EnrollRequest;
import io.deskrun.protocol.EnrollResponse;
import io.deskrun.protocol.PollRequest;
import io.deskrun.protocol.PollResponse;
import io.deskrun.protocol.RunReport;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent protocol's three calls, as JSON over {@link HttpClient}, to one of the fleet's servers
 * at a time. It starts on a server picked at random, so agents spread over the servers, and moves
 * to the next one in the list when the current one cannot be reached, fails to answer, or answers
 * with a 5xx. A call that could not connect is tried on each other server at once. Any other
 * failure is raised after the move, so the caller's backoff and retry land on the next server.
 */
public final class ServerClient {
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

  /** Time the response of a poll may take beyond the wait the server holds it for. */
  private static final Duration POLL_GRACE = Duration.ofSeconds(15);

  private static final Logger LOG = LoggerFactory.getLogger(ServerClient.class);

  private final List<URI> servers;
  private final AtomicInteger current;
  private final HttpClient http;
  private final ObjectMapper json =
      new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  public ServerClient(URI server) {
    this(List.of(server));
  }

  public ServerClient(List<URI> servers) {
    this(servers, HttpClient.newBuilder());
  }

  /** Creates a client whose https connections trust what {@code sslContext} trusts. */
  public ServerClient(List<URI> servers, SSLContext sslContext) {
    this(servers, HttpClient.newBuilder().sslContext(sslContext));
  }

  private ServerClient(List<URI> servers, HttpClient.Builder http) {
    if (servers.isEmpty()) {
      throw new IllegalArgumentException("servers must list at least one server");
    }
    this.servers = List.copyOf(servers);
    this.current = new AtomicInteger(ThreadLocalRandom.current().nextInt(servers.size()));
    this.http = http.connectTimeout(CONNECT_TIMEOUT).build();
  }

  /** Returns the server the next call goes to. */
  public URI currentServer() {
    return servers.get(current.get());
  }

  /** Trades an activation id and code for an identity; sends no credential. */
  public EnrollResponse enroll(EnrollRequest request)
      throws IOException, InterruptedException, ServerResponseException {
    return call(AgentProtocol.ENROLL_PATH, null, request, REQUEST_TIMEOUT, EnrollResponse.class);
  }

  /** Asks for work; the server holds the call open for up to {@code request.waitSeconds()}. */
  public PollResponse poll(Identity identity, PollRequest request)
      throws IOException, InterruptedException, ServerResponseException {
    Duration timeout = Duration.ofSeconds(request.waitSeconds()).plus(POLL_GRACE);
    return call(AgentProtocol.POLL_PATH, identity, request, timeout, PollResponse.class);
  }

  /** Sends a run's progress or result. */
  public void report(Identity identity, RunReport report)
      throws IOException, InterruptedException, ServerResponseException {
    call(AgentProtocol.REPORT_PATH, identity, report, REQUEST_TIMEOUT, null);
  }

  private <T> T call(String path, Identity identity, Object body, Duration timeout, Class<T> type)
      throws IOException, InterruptedException, ServerResponseException {
    for (int attempt = 1; ; attempt++) {
      int index = current.get();
      try {
        return call(servers.get(index), path, identity, body, timeout, type);
      } catch (ConnectException | HttpConnectTimeoutException e) {
        // Nothing reached the server, so the call is safe to send to the next one at once.
        moveOn(index, e);
        if (attempt >= servers.size()) {
          throw e;
        }
      } catch (IOException e) {
        moveOn(index, e);
        throw e;
      } catch (ServerResponseException e) {
        if (e.statusCode() >= 500) {
          moveOn(index, e);
        }
        throw e;
      }
    }
  }

  /** Moves to the server after {@code failed}, unless another call has moved on already. */
  private void moveOn(int failed, Exception cause) {
    if (servers.size() == 1) {
      return;
    }
    int next = (failed + 1) % servers.size();
    if (current.compareAndSet(failed, next)) {
      LOG.warn(
          "Server {} failed ({}); switching to {}", servers.get(failed), cause, servers.get(next));
    }
  }

  private <T> T call(
      URI server, String path, Identity identity, Object body, Duration timeout, Class<T> type)
      throws IOException, InterruptedException, ServerResponseException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(server.resolve(path))
            .timeout(timeout)
            .header("Content-Type", "application/json")
            .header("Accept", "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(json.writeValueAsBytes(body)));
    if (identity != null) {
      request.header("Authorization", identity.authorization());
    }

    HttpResponse<byte[]> response =
        http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());

    if (response.statusCode() / 100 != 2) {
      throw new ServerResponseException(path, response.statusCode(), parseError(response.body()));
    }
    if (type == null) {
      return null;
    }
    return json.readValue(response.body(), type);
  }

  private AgentError parseError(byte[] body) {
    try {
      AgentError error = json.readValue(body, AgentError.class);
      return error == null || error.code() == null ? null : error;
    } catch (IOException e) {
      return null;
    }
  }
}
