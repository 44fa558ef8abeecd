package io.deskrun.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.deskrun.protocol.EnrollRequest;
import io.deskrun.protocol.EnrollResponse;
import io.deskrun.protocol.OsType;
import io.deskrun.protocol.ScriptType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Simulated agents enrolled on one server, each polling on its own virtual thread. Records when
 * each invocation reached an agent, so dispatch latency can be measured in this process.
 */
final class SimulatedFleet implements AutoCloseable {
  private static final int ACTIVATION_LIMIT = 1000;
  private static final int ENROLL_CONCURRENCY = 16;

  private final List<SimulatedAgent> agents = new ArrayList<>();
  private final Map<String, Long> deliveredAt = new ConcurrentHashMap<>();
  private final Map<String, Long> finishedAt = new ConcurrentHashMap<>();
  private final AtomicBoolean running = new AtomicBoolean(true);
  private double enrollSeconds;

  private SimulatedFleet() {}

  /**
   * Enrolls {@code count} agents and returns once every one has polled once and opened its
   * long-poll.
   */
  static SimulatedFleet start(
      ServerProcess server, int count, SimulatedAgent.Mode mode, int waitSeconds) {
    SimulatedFleet fleet = new SimulatedFleet();
    AgentWire wire = new AgentWire(server.endpoint(), Math.max(1, Math.min(16, count / 500)));
    CountDownLatch connected = new CountDownLatch(count);
    long start = System.nanoTime();
    List<EnrollResponse> identities = enrollAll(server.api(), wire, count);
    fleet.enrollSeconds = (System.nanoTime() - start) / 1e9;

    for (int i = 0; i < count; i++) {
      EnrollResponse identity = identities.get(i);
      SimulatedAgent agent =
          new SimulatedAgent(
              i,
              identity.desktopId(),
              identity.agentToken(),
              wire,
              mode,
              waitSeconds,
              fleet.listener(),
              connected,
              fleet.running);
      fleet.agents.add(agent);
      Thread.ofVirtual().name("bench-agent-" + i).start(agent);
    }
    await(connected, Duration.ofSeconds(120), count + " agents' first polls");
    return fleet;
  }

  private SimulatedAgent.DeliveryListener listener() {
    return new SimulatedAgent.DeliveryListener() {
      @Override
      public void delivered(String invokeId, long nanoTime) {
        deliveredAt.merge(invokeId, nanoTime, Math::max);
      }

      @Override
      public void finished(String invokeId, long nanoTime) {
        finishedAt.merge(invokeId, nanoTime, Math::max);
      }
    };
  }

  private static List<EnrollResponse> enrollAll(ApiCaller api, AgentWire wire, int count) {
    List<Future<EnrollResponse>> futures = new ArrayList<>();
    Semaphore permits = new Semaphore(ENROLL_CONCURRENCY);
    try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
      JsonNode activation = null;
      for (int i = 0; i < count; i++) {
        if (i % ACTIVATION_LIMIT == 0) {
          int size = Math.min(ACTIVATION_LIMIT, count - i);
          activation =
              api.call(
                  "CreateActivation",
                  Map.of("InstanceCount", String.valueOf(size), "InstanceName", "bench"));
        }
        EnrollRequest request = enrollRequest(activation, i);
        int index = i;
        futures.add(
            executor.submit(
                () -> {
                  permits.acquire();
                  try {
                    return wire.enroll(index, request);
                  } finally {
                    permits.release();
                  }
                }));
      }
      List<EnrollResponse> identities = new ArrayList<>();
      for (Future<EnrollResponse> future : futures) {
        identities.add(future.get(120, TimeUnit.SECONDS));
      }
      return identities;
    } catch (Exception e) {
      throw new BenchException("Enrolling " + count + " simulated agents failed: " + e, e);
    }
  }

  private static EnrollRequest enrollRequest(JsonNode activation, int index) {
    return new EnrollRequest(
        activation.get("ActivationId").asText(),
        activation.get("ActivationCode").asText(),
        ServerProcess.REGION,
        "bench-" + index,
        OsType.Linux,
        "bench",
        List.of(ScriptType.RunShellScript));
  }

  static void await(CountDownLatch latch, Duration limit, String what) {
    try {
      if (!latch.await(limit.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new BenchException("Gave up after " + limit.toSeconds() + " s waiting for " + what);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BenchException("Interrupted while waiting for " + what, e);
    }
  }

  int size() {
    return agents.size();
  }

  String desktopId(int index) {
    return agents.get(index).desktopId();
  }

  /** Seconds the enrollment of every agent took. */
  double enrollSeconds() {
    return enrollSeconds;
  }

  /**
   * Returns when the invocation reached its last agent ({@link System#nanoTime}), or null; with one
   * desktop, when it reached that one.
   */
  Long deliveredAt(String invokeId) {
    return deliveredAt.get(invokeId);
  }

  /** Returns when the last agent began to send the invocation's final report, or null. */
  Long finishedAt(String invokeId) {
    return finishedAt.get(invokeId);
  }

  /** Stops the agents after their current poll; they leave no thread that blocks the JVM. */
  @Override
  public void close() {
    running.set(false);
  }
}
