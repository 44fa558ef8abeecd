package io.deskrun.agent;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.deskrun.protocol.AgentError;
import io.deskrun.protocol.AgentProtocol;
import io.deskrun.protocol.EnrollRequest;
import io.deskrun.protocol.EnrollResponse;
import io.deskrun.protocol.PollRequest;
import io.deskrun.protocol.PollResponse;
import io.deskrun.protocol.RunReport;
import io.deskrun.protocol.Task;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The server side of the agent protocol on loopback, with just enough behaviour to drive the agent
 * through enrollment, polls and reports: tasks and stop requests are queued by the test, and every
 * request is recorded. It replaces the real server, which is built in another module.
 */
final class ProtocolServer implements AutoCloseable {
  static final String ACTIVATION_CODE = "code-ok";
  static final String DESKTOP_ID = "ecd-test1";
  static final String TOKEN = "token-1";

  final List<EnrollRequest> enrollRequests = new CopyOnWriteArrayList<>();
  final List<PollRequest> pollRequests = new CopyOnWriteArrayList<>();
  final List<RunReport> reports = new CopyOnWriteArrayList<>();
  final BlockingQueue<Task> tasks = new LinkedBlockingQueue<>();
  final BlockingQueue<String> stops = new LinkedBlockingQueue<>();
  final AtomicBoolean revoked = new AtomicBoolean();
  final AtomicInteger reportsToFail = new AtomicInteger();
  final AtomicInteger maxHoldSeconds = new AtomicInteger(1);

  private final ObjectMapper json = new ObjectMapper();
  private final HttpServer http;

  ProtocolServer() throws IOException {
    this(0);
  }

  /** Starts on {@code port}, or on a free port when it is 0. */
  ProtocolServer(int port) throws IOException {
    http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
    http.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    http.createContext(AgentProtocol.ENROLL_PATH, this::enroll);
    http.createContext(AgentProtocol.POLL_PATH, this::poll);
    http.createContext(AgentProtocol.REPORT_PATH, this::report);
    http.start();
  }

  int port() {
    return http.getAddress().getPort();
  }

  URI uri() {
    return URI.create("http://127.0.0.1:" + http.getAddress().getPort());
  }

  List<RunReport> reportsOf(String invokeId) {
    return reports.stream().filter(r -> r.invokeId().equals(invokeId)).toList();
  }

  private void enroll(HttpExchange exchange) throws IOException {
    EnrollRequest request = json.readValue(exchange.getRequestBody(), EnrollRequest.class);
    enrollRequests.add(request);
    if (!ACTIVATION_CODE.equals(request.activationCode())) {
      send(exchange, 400, new AgentError("InvalidActivationCode", "activation code is not valid"));
      return;
    }
    send(exchange, 200, new EnrollResponse(DESKTOP_ID, "desk", request.regionId(), TOKEN));
  }

  private void poll(HttpExchange exchange) throws IOException {
    if (!authorized(exchange)) {
      return;
    }
    PollRequest request = json.readValue(exchange.getRequestBody(), PollRequest.class);
    pollRequests.add(request);
    List<Task> handed = new ArrayList<>();
    try {
      // Held for one second by default, so tests stay quick.
      int hold = Math.min(maxHoldSeconds.get(), request.waitSeconds());
      Task first = tasks.poll(hold, TimeUnit.SECONDS);
      if (first != null) {
        handed.add(first);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    tasks.drainTo(handed, Math.max(0, request.freeSlots() - handed.size()));
    List<String> stopIds = new ArrayList<>();
    stops.drainTo(stopIds);
    send(exchange, 200, new PollResponse(handed, stopIds));
  }

  private void report(HttpExchange exchange) throws IOException {
    if (!authorized(exchange)) {
      return;
    }
    RunReport report = json.readValue(exchange.getRequestBody(), RunReport.class);
    if (report.status().isFinal() && reportsToFail.getAndDecrement() > 0) {
      send(exchange, 503, new AgentError("ServiceUnavailable", "try again"));
      return;
    }
    reports.add(report);
    send(exchange, 200, java.util.Map.of());
  }

  private boolean authorized(HttpExchange exchange) throws IOException {
    String header = exchange.getRequestHeaders().getFirst("Authorization");
    if (revoked.get() || !("Bearer " + DESKTOP_ID + ":" + TOKEN).equals(header)) {
      exchange.getRequestBody().readAllBytes();
      send(exchange, 401, new AgentError("InvalidCredential", "agent credential is not valid"));
      return false;
    }
    return true;
  }

  private void send(HttpExchange exchange, int status, Object body) throws IOException {
    byte[] bytes = json.writeValueAsBytes(body);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length);
    try (var out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    http.stop(0);
  }
}
