package io.deskrun.server.e2e;

import com.aliyun.ecd20200930.Client;
import com.aliyun.ecd20200930.models.RunCommandRequest;
import io.deskrun.agent.Agent;
import io.deskrun.server.storage.Database;
import io.deskrun.server.storage.TestPostgres;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Measures servers sharing one embedded PostgreSQL on loopback: how long a command accepted by one
 * server takes to be handed to an agent polling another (invocation created_at to the target's
 * delivered_at, both stamped by the servers), and how many RunCommand calls per second one and two
 * servers accept. Not part of the default test run because its name does not end in Test; run it
 * with {@code ./mvnw -B -q -pl deskrun-server -am -Dtest=ClusterMeasurement
 * -Dsurefire.failIfNoSpecifiedTests=false test} and read the figures in {@code
 * deskrun-server/target/surefire-reports/io.deskrun.server.e2e.ClusterMeasurement-output.txt}.
 * Every loop is bounded in count and time.
 */
class ClusterMeasurement {
  private static final int WARM_UP = 10;
  private static final int SAMPLES = 100;
  private static final Duration LIMIT = Duration.ofSeconds(30);
  private static final int THROUGHPUT_DESKTOPS = 5;
  private static final int CLIENT_THREADS = 8;
  private static final int CALLS_PER_THREAD = 150;
  private static final Duration THROUGHPUT_LIMIT = Duration.ofSeconds(60);

  @TempDir Path dir;

  @Test
  void wakeUpLatency_sameServerAndAcrossServers() throws Exception {
    try (Cluster cluster = Cluster.start(dir.resolve("latency"), 2);
        Database database = Database.open(cluster.databaseUrl(), TestPostgres.USER, "", 2)) {
      Agent onA = cluster.startAgent(0);
      Agent onB = cluster.startAgent(1);
      List<Long> same = deliveryDelays(cluster, database, onA);
      List<Long> across = deliveryDelays(cluster, database, onB);
      print("Wake-up, RunCommand on A to agent polling A", same);
      print("Wake-up, RunCommand on A to agent polling B", across);
    }
  }

  /** Runs commands through server A one after another; returns created-to-delivered delays. */
  private static List<Long> deliveryDelays(Cluster cluster, Database database, Agent agent)
      throws Exception {
    List<Long> delays = new ArrayList<>();
    for (int i = 0; i < WARM_UP + SAMPLES; i++) {
      String invokeId = cluster.run(0, "true\n", List.of(agent.desktopId()));
      cluster.awaitFinal(0, invokeId, LIMIT);
      if (i >= WARM_UP) {
        delays.add(deliveryDelay(database, invokeId));
      }
    }
    return delays;
  }

  private static long deliveryDelay(Database database, String invokeId) {
    return database
        .jdbi()
        .withHandle(
            handle ->
                handle
                    .createQuery(
                        "SELECT t.delivered_at - i.created_at FROM targets t"
                            + " JOIN invocations i ON i.invoke_id = t.invoke_id"
                            + " WHERE t.invoke_id = :invoke")
                    .bind("invoke", invokeId)
                    .mapTo(long.class)
                    .one());
  }

  @Test
  void runCommandThroughput_oneAndTwoServers() throws Exception {
    try (Cluster cluster =
        Cluster.start(
            dir.resolve("throughput"),
            2,
            config -> config.withHeartbeatWindow(Duration.ofMinutes(10)))) {
      // Enrolled agents are stopped again so that running scripts does not take the CPU that the
      // servers need; their desktops stay online for the heartbeat window.
      List<String> desktops = new ArrayList<>();
      List<Agent> agents = new ArrayList<>();
      for (int i = 0; i < THROUGHPUT_DESKTOPS; i++) {
        Agent agent = cluster.startAgent(0, 1);
        agents.add(agent);
        desktops.add(agent.desktopId());
      }
      agents.forEach(Agent::close);

      callsPerSecond(cluster, desktops, 1);
      double one = callsPerSecond(cluster, desktops, 1);
      double two = callsPerSecond(cluster, desktops, 2);
      System.out.printf(
          "RunCommand throughput, %d client threads, %d desktops per call: one server %.0f/s,"
              + " two servers %.0f/s%n",
          CLIENT_THREADS, THROUGHPUT_DESKTOPS, one, two);
    }
  }

  /** Sends RunCommand from several threads, spread over the first {@code servers} servers. */
  private static double callsPerSecond(Cluster cluster, List<String> desktops, int servers)
      throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(CLIENT_THREADS);
    long deadline = System.nanoTime() + THROUGHPUT_LIMIT.toNanos();
    try {
      List<Future<Integer>> results = new ArrayList<>();
      long started = System.nanoTime();
      for (int thread = 0; thread < CLIENT_THREADS; thread++) {
        Client client = cluster.client(thread % servers);
        results.add(pool.submit(() -> sendCalls(client, desktops, deadline)));
      }
      int calls = 0;
      for (Future<Integer> result : results) {
        calls += result.get(THROUGHPUT_LIMIT.toSeconds() + 30, TimeUnit.SECONDS);
      }
      double seconds = (System.nanoTime() - started) / 1e9;
      return calls / seconds;
    } finally {
      pool.shutdownNow();
    }
  }

  private static int sendCalls(Client client, List<String> desktops, long deadline)
      throws Exception {
    int calls = 0;
    while (calls < CALLS_PER_THREAD && System.nanoTime() < deadline) {
      client.runCommand(
          new RunCommandRequest()
              .setRegionId(Cluster.REGION)
              .setType("RunShellScript")
              .setCommandContent("true\n")
              .setDesktopId(desktops));
      calls++;
    }
    return calls;
  }

  private static void print(String label, List<Long> delays) {
    List<Long> sorted = new ArrayList<>(delays);
    Collections.sort(sorted);
    System.out.printf(
        "%s (n=%d): median %d ms, p99 %d ms, max %d ms%n",
        label,
        sorted.size(),
        sorted.get(sorted.size() / 2),
        sorted.get((int) Math.ceil(sorted.size() * 0.99) - 1),
        sorted.getLast());
  }
}
