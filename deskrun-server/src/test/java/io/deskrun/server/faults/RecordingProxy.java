package io.deskrun.server.faults;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.deskrun.protocol.AgentProtocol;
import io.deskrun.protocol.RunReport;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A loopback HTTP proxy between an agent and the real server that records every report passing
 * through, in the order the agent sent them. It creates no response of its own: each request is
 * forwarded to the server and the server's response returned unchanged.
 */
final class RecordingProxy implements AutoCloseable {
  private static final List<String> FORWARDED_REQUEST_HEADERS =
      List.of("Authorization", "Content-Type", "Accept");
  private static final List<String> FORWARDED_RESPONSE_HEADERS =
      List.of("Content-Type", "Retry-After");

  private final URI target;
  private final HttpServer http;
  private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
  private final HttpClient client =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final ObjectMapper json = new ObjectMapper();
  private final List<RunReport> reports = new CopyOnWriteArrayList<>();

  private RecordingProxy(URI target) throws IOException {
    this.target = target;
    this.http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    http.setExecutor(executor);
    http.createContext("/", this::forward);
    http.start();
  }

  /** Starts a proxy in front of the server at {@code target}. */
  static RecordingProxy start(URI target) throws IOException {
    return new RecordingProxy(target);
  }

  URI uri() {
    return URI.create("http://127.0.0.1:" + http.getAddress().getPort());
  }

  /** Returns the reports sent for {@code invokeId} so far, oldest first. */
  List<RunReport> reports(String invokeId) {
    return reports.stream().filter(report -> report.invokeId().equals(invokeId)).toList();
  }

  private void forward(HttpExchange exchange) throws IOException {
    try (exchange) {
      byte[] body;
      try (InputStream in = exchange.getRequestBody()) {
        body = in.readAllBytes();
      }
      String path = exchange.getRequestURI().getPath();
      if (path.equals(AgentProtocol.REPORT_PATH)) {
        reports.add(json.readValue(body, RunReport.class));
      }

      HttpResponse<byte[]> response = send(exchange, path, body);

      for (String name : FORWARDED_RESPONSE_HEADERS) {
        response
            .headers()
            .firstValue(name)
            .ifPresent(v -> exchange.getResponseHeaders().add(name, v));
      }
      byte[] answer = response.body();
      exchange.sendResponseHeaders(response.statusCode(), answer.length == 0 ? -1 : answer.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(answer);
      }
    }
  }

  private HttpResponse<byte[]> send(HttpExchange exchange, String path, byte[] body)
      throws IOException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(target.resolve(path))
            .method(exchange.getRequestMethod(), HttpRequest.BodyPublishers.ofByteArray(body));
    for (String name : FORWARDED_REQUEST_HEADERS) {
      String value = exchange.getRequestHeaders().getFirst(name);
      if (value != null) {
        request.header(name, value);
      }
    }
    try {
      return client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("forwarding " + path + " interrupted", e);
    }
  }

  @Override
  public void close() {
    http.stop(0);
    executor.close();
    client.close();
  }
}
