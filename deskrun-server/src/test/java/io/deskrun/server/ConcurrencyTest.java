package io.deskrun.server;

import static io.deskrun.server.ServerFixture.params;
import static org.assertj.core.api.Assertions.assertThat;

import io.deskrun.protocol.AgentProtocol;
import io.deskrun.protocol.EnrollRequest;
import io.deskrun.protocol.OsType;
import io.deskrun.protocol.PollResponse;
import io.deskrun.protocol.RunReport;
import io.deskrun.protocol.ScriptType;
import io.deskrun.protocol.TargetStatus;
import io.deskrun.protocol.Task;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Races that the conditional updates must decide: each runs a bounded number of requests. {@link
 * ConcurrencyOnPostgresTest} runs the same races on PostgreSQL.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConcurrencyTest {
  private static final int PARALLEL = 8;

  @TempDir static Path dataDir;
  ServerFixture server;

  @BeforeAll
  void start() {
    server = new ServerFixture(dataDir, this::onDatabase);
  }

  /** Points the server at the database under test; H2 in the data dir here. */
  ServerConfig onDatabase(ServerConfig config) {
    return config;
  }

  @AfterAll
  void stop() {
    server.close();
  }

  private static <T> List<T> runTogether(Callable<T> task) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(PARALLEL);
    try {
      List<Future<T>> futures = new ArrayList<>();
      for (int i = 0; i < PARALLEL; i++) {
        futures.add(pool.submit(task));
      }
      List<T> results = new ArrayList<>();
      for (Future<T> future : futures) {
        results.add(future.get(20, TimeUnit.SECONDS));
      }
      return results;
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void enroll_concurrent_neverExceedsInstanceCount() throws Exception {
    Map<String, Object> activation = server.call("CreateActivation", params("InstanceCount", "3"));
    EnrollRequest request =
        new EnrollRequest(
            (String) activation.get("ActivationId"),
            (String) activation.get("ActivationCode"),
            ServerFixture.REGION,
            "h",
            OsType.Linux,
            "1",
            List.of(ScriptType.RunShellScript));

    List<Integer> statuses =
        runTogether(() -> server.send(AgentProtocol.ENROLL_PATH, null, request).statusCode());

    assertThat(statuses.stream().filter(status -> status == 200).count()).isEqualTo(3);
    assertThat(statuses.stream().filter(status -> status == 403).count()).isEqualTo(PARALLEL - 3);
  }

  @Test
  void poll_concurrent_deliversEachTargetOnce() throws Exception {
    ServerFixture.Enrolled desktop = server.enrollDesktop();
    List<String> created = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      created.add(
          (String)
              server
                  .call(
                      "RunCommand",
                      params(
                          "Type",
                          "RunShellScript",
                          "CommandContent",
                          "echo " + i,
                          "DesktopId.1",
                          desktop.desktopId()))
                  .get("InvokeId"));
    }

    List<PollResponse> responses = runTogether(() -> server.poll(desktop, 5, 0, List.of()));

    List<String> delivered =
        responses.stream()
            .flatMap(response -> response.tasks().stream())
            .map(Task::invokeId)
            .toList();
    assertThat(delivered).containsExactlyInAnyOrderElementsOf(created);
  }

  @Test
  void stop_whileAgentsReport_everyCallSucceeds() throws Exception {
    int desktopCount = 20;
    List<ServerFixture.Enrolled> desktops = new ArrayList<>();
    for (int i = 0; i < desktopCount; i++) {
      desktops.add(server.enrollDesktop());
    }

    for (int round = 0; round < 5; round++) {
      String invokeId = runOnAll(desktops);
      for (ServerFixture.Enrolled desktop : desktops) {
        server.poll(desktop, 1, 0, List.of());
        server.report(
            desktop, new RunReport(invokeId, TargetStatus.Running, null, "", 0, null, null));
      }

      List<Callable<Object>> calls = new ArrayList<>();
      for (ServerFixture.Enrolled desktop : desktops) {
        calls.add(
            () -> {
              server.report(
                  desktop,
                  new RunReport(invokeId, TargetStatus.Success, 0L, "done\n", 0, null, null));
              return null;
            });
      }
      for (int i = 0; i < 4; i++) {
        calls.add(() -> server.call("StopInvocation", params("InvokeId", invokeId)));
      }
      try (ExecutorService pool = Executors.newFixedThreadPool(calls.size())) {
        for (Future<Object> call : pool.invokeAll(calls)) {
          call.get(20, TimeUnit.SECONDS);
        }
      }

      assertThat(statuses(invokeId)).hasSize(desktopCount).containsOnly("Success");
    }
  }

  private String runOnAll(List<ServerFixture.Enrolled> desktops) {
    Map<String, String> parameters =
        params("Type", "RunShellScript", "CommandContent", "echo race");
    for (int i = 0; i < desktops.size(); i++) {
      parameters.put("DesktopId." + (i + 1), desktops.get(i).desktopId());
    }
    return (String) server.call("RunCommand", parameters).get("InvokeId");
  }

  private List<String> statuses(String invokeId) {
    return server
        .database
        .jdbi()
        .withHandle(
            h ->
                h.createQuery("SELECT status FROM targets WHERE invoke_id = :id")
                    .bind("id", invokeId)
                    .mapTo(String.class)
                    .list());
  }
}
