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
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** The agent protocol's three calls, as JSON over {@link HttpClient}. */
public final class ServerClient {
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

  /** Time the response of a poll may take beyond the wait the server holds it for. */
  private static final Duration POLL_GRACE = Duration.ofSeconds(15);

  private final URI server;
  private final HttpClient http;
  private final ObjectMapper json =
      new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  public ServerClient(URI server) {
    this.server = server;
    this.http = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).build();
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
