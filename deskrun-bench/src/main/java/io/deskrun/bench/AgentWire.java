package io.deskrun.bench;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;

/**
 * The agent protocol over real HTTP for many simulated agents. The JDK client opens one connection
 * per request in flight and keeps idle ones for reuse, so 10,000 held polls are 10,000 sockets.
 * They are spread over several clients so that no single selector thread reads them all.
 */
final class AgentWire {
  private static final ObjectMapper JSON =
      new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private final URI endpoint;
  private final List<HttpClient> clients = new ArrayList<>();

  AgentWire(URI endpoint, int clientCount) {
    this.endpoint = endpoint;
    for (int i = 0; i < clientCount; i++) {
      clients.add(
          HttpClient.newBuilder()
              .version(HttpClient.Version.HTTP_1_1)
              .connectTimeout(Duration.ofSeconds(30))
              .executor(Executors.newVirtualThreadPerTaskExecutor())
              .build());
    }
  }

  EnrollResponse enroll(int agentIndex, EnrollRequest request) {
    return post(agentIndex, AgentProtocol.ENROLL_PATH, null, request, 30, EnrollResponse.class);
  }

  PollResponse poll(int agentIndex, String credential, PollRequest request) {
    return post(
        agentIndex,
        AgentProtocol.POLL_PATH,
        credential,
        request,
        request.waitSeconds() + 30,
        PollResponse.class);
  }

  void report(int agentIndex, String credential, RunReport report) {
    post(agentIndex, AgentProtocol.REPORT_PATH, credential, report, 30, Object.class);
  }

  private <T> T post(
      int agentIndex,
      String path,
      String credential,
      Object body,
      int timeoutSeconds,
      Class<T> responseType) {
    try {
      HttpRequest.Builder request =
          HttpRequest.newBuilder(endpoint.resolve(path))
              .timeout(Duration.ofSeconds(timeoutSeconds))
              .header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)));
      if (credential != null) {
        request.header("Authorization", "Bearer " + credential);
      }
      HttpClient client = clients.get(agentIndex % clients.size());
      HttpResponse<byte[]> response =
          client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
      if (response.statusCode() != 200) {
        throw new BenchException(
            path
                + " returned HTTP "
                + response.statusCode()
                + ": "
                + new String(response.body(), java.nio.charset.StandardCharsets.UTF_8));
      }
      return JSON.readValue(response.body(), responseType);
    } catch (IOException e) {
      throw new BenchException(path + " failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BenchException(path + " was interrupted", e);
    }
  }
}
