package io.deskrun.server;

import static io.deskrun.server.ServerFixture.params;
import static org.assertj.core.api.Assertions.assertThat;

import io.deskrun.protocol.AgentProtocol;
import io.deskrun.protocol.EnrollRequest;
import io.deskrun.protocol.OsType;
import io.deskrun.protocol.PollRequest;
import io.deskrun.protocol.PollResponse;
import io.deskrun.protocol.RunReport;
import io.deskrun.protocol.ScriptType;
import io.deskrun.protocol.TargetStatus;
import io.deskrun.protocol.Task;
import io.deskrun.server.desktop.DesktopRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentChannelTest {
  @TempDir static Path dataDir;
  static ServerFixture server;

  @BeforeAll
  static void start() {
    server = new ServerFixture(dataDir);
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static Map<String, Object> activation(String... extra) {
    Map<String, String> parameters = params("InstanceCount", "1");
    parameters.putAll(params(extra));
    return server.call("CreateActivation", parameters);
  }

  private static EnrollRequest enrollRequest(Map<String, Object> activation, String code) {
    return new EnrollRequest(
        (String) activation.get("ActivationId"),
        code,
        ServerFixture.REGION,
        "host-1",
        OsType.Linux,
        "0.1.0",
        List.of(ScriptType.RunShellScript));
  }

  private static String run(ServerFixture.Enrolled desktop, String script) {
    return (String)
        server
            .call(
                "RunCommand",
                params(
                    "Type",
                    "RunShellScript",
                    "CommandContent",
                    script,
                    "DesktopId.1",
                    desktop.desktopId()))
            .get("InvokeId");
  }

  private static TargetStatus status(String invokeId, ServerFixture.Enrolled desktop) {
    return server.components.targets.statusOf(invokeId, desktop.desktopId()).orElseThrow();
  }

  @Test
  void enroll_validCode_returnsDesktopIdAndToken() {
    ServerFixture.Enrolled desktop = server.enrollDesktop();

    assertThat(desktop.desktopId()).matches("ecd-[a-z0-9]{20}");
    assertThat(server.poll(desktop, 1, 0, List.of()).tasks()).isEmpty();
  }

  @Test
  void enroll_wrongCode_rejectedAsInvalid() {
    Map<String, Object> activation = activation();

    ServerFixture.Rejected rejected =
        server.postRejected(AgentProtocol.ENROLL_PATH, null, enrollRequest(activation, "wrong"));

    assertThat(rejected.status()).isEqualTo(403);
    assertThat(rejected.error().code()).isEqualTo("InvalidActivation.NotFound");
    assertThat(rejected.error().message()).contains("does not match");
  }

  @Test
  void enroll_unknownActivation_rejectedAsInvalid() {
    Map<String, Object> unknown = Map.of("ActivationId", "act-000000000000000000000000");

    ServerFixture.Rejected rejected =
        server.postRejected(AgentProtocol.ENROLL_PATH, null, enrollRequest(unknown, "code"));

    assertThat(rejected.error().code()).isEqualTo("InvalidActivation.NotFound");
  }

  @Test
  void enroll_expiredActivation_rejectedAsExpired() {
    Map<String, Object> activation = activation("TimeToLiveInHours", "1");
    server.clock.advance(Duration.ofHours(1));

    ServerFixture.Rejected rejected =
        server.postRejected(
            AgentProtocol.ENROLL_PATH,
            null,
            enrollRequest(activation, (String) activation.get("ActivationCode")));

    assertThat(rejected.error().code()).isEqualTo("InvalidActivation.Expired");
    assertThat(rejected.error().message()).contains("expired");
  }

  @Test
  void enroll_disabledActivation_rejectedAsDisabled() {
    Map<String, Object> activation = activation();
    server.call(
        "DisableActivation", params("ActivationId", (String) activation.get("ActivationId")));

    ServerFixture.Rejected rejected =
        server.postRejected(
            AgentProtocol.ENROLL_PATH,
            null,
            enrollRequest(activation, (String) activation.get("ActivationCode")));

    assertThat(rejected.error().code()).isEqualTo("InvalidActivation.Disabled");
  }

  @Test
  void enroll_countUsedUp_rejectedAsCountExceeded() {
    Map<String, Object> activation = activation();
    EnrollRequest request = enrollRequest(activation, (String) activation.get("ActivationCode"));
    server.post(AgentProtocol.ENROLL_PATH, null, request, Map.class);

    ServerFixture.Rejected rejected = server.postRejected(AgentProtocol.ENROLL_PATH, null, request);

    assertThat(rejected.error().code()).isEqualTo("InvalidActivation.CountExceeded");
    assertThat(rejected.error().message()).contains("limit of 1");
  }

  @Test
  void enroll_malformedBody_invalidRequest() {
    ServerFixture.Rejected rejected =
        server.postRejected(
            AgentProtocol.ENROLL_PATH, null, "{not json".getBytes(StandardCharsets.UTF_8));

    assertThat(rejected.status()).isEqualTo(400);
    assertThat(rejected.error().code()).isEqualTo("InvalidRequest");
  }

  @Test
  void poll_wrongToken_unauthorized() {
    ServerFixture.Enrolled desktop = server.enrollDesktop();

    ServerFixture.Rejected rejected =
        server.postRejected(
            AgentProtocol.POLL_PATH,
            desktop.desktopId() + ":wrong",
            new PollRequest(1, 0, "h", "v", List.of(), List.of()));

    assertThat(rejected.status()).isEqualTo(401);
    assertThat(rejected.error().code()).isEqualTo("InvalidCredential");
  }

  @Test
  void poll_noCredential_unauthorized() {
    ServerFixture.Rejected rejected =
        server.postRejected(
            AgentProtocol.POLL_PATH, null, new PollRequest(1, 0, "h", "v", List.of(), List.of()));

    assertThat(rejected.status()).isEqualTo(401);
  }

  @Test
  void poll_afterDeregister_unauthorizedAndPendingCancelled() {
    ServerFixture.Enrolled desktop = server.enrollDesktop();
    server.poll(desktop, 0, 0, List.of());
    String invokeId = run(desktop, "echo hi");

    server.call("DeregisterDesktop", params("DesktopId", desktop.desktopId()));

    ServerFixture.Rejected rejected =
        server.postRejected(
            AgentProtocol.POLL_PATH,
            desktop.credential(),
            new PollRequest(1, 0, "h", "v", List.of(), List.of()));
    assertThat(rejected.status()).isEqualTo(401);
    assertThat(status(invokeId, desktop)).isEqualTo(TargetStatus.Cancelled);
  }

  @Test
  void poll_deletedElsewhere_acceptedUntilReuseEnds() {
    ServerFixture.Enrolled desktop = server.enrollDesktop();
    server.poll(desktop, 1, 0, List.of());
    server
        .database
        .jdbi()
        .useHandle(
            h ->
                h.createUpdate("DELETE FROM desktops WHERE desktop_id = :id")
                    .bind("id", desktop.desktopId())
                    .execute());

    PollResponse withinReuse = server.poll(desktop, 1, 0, List.of());
    server.clock.advance(server.components.desktops.credentialReuse());
    ServerFixture.Rejected afterReuse =
        server.postRejected(
            AgentProtocol.POLL_PATH,
            desktop.credential(),
            new PollRequest(1, 0, "h", "v", List.of(), List.of()));

    assertThat(withinReuse.tasks()).isEmpty();
    assertThat(afterReuse.status()).isEqualTo(401);
  }

  @Test
  void authenticate_manyDesktopsIdle_expiredOnesDropped() {
    ServerFixture.Enrolled source = server.enrollDesktop();
    String token = source.credential().substring(source.desktopId().length() + 1);
    copyDesktop(source.desktopId(), "ecd-idle-", 2_100);
    DesktopRegistry registry = server.components.desktops;
    int before = registry.rememberedCount();

    for (int i = 0; i < 1_100; i++) {
      assertThat(registry.authenticate("ecd-idle-" + i, token)).isPresent();
    }
    server.clock.advance(server.components.desktops.credentialReuse());
    for (int i = 1_100; i < 2_100; i++) {
      assertThat(registry.authenticate("ecd-idle-" + i, token)).isPresent();
    }

    // The 1,100 read before the clock moved have expired and are dropped once the map doubles.
    assertThat(registry.rememberedCount()).isLessThan(before + 1_100);
  }

  /** Copies a desktop's row under {@code count} new ids with the same token. */
  private static void copyDesktop(String desktopId, String idPrefix, int count) {
    server
        .database
        .jdbi()
        .useHandle(
            h ->
                h.createUpdate(
                        "INSERT INTO desktops (desktop_id, account_id, region_id, activation_id,"
                            + " desktop_name, os_type, hostname, agent_version, script_types,"
                            + " token_hash, last_heartbeat_at, created_at)"
                            + " SELECT :prefix || CAST(x - 1 AS VARCHAR), account_id, region_id,"
                            + " activation_id, desktop_name, os_type, hostname, agent_version,"
                            + " script_types, token_hash, last_heartbeat_at, created_at"
                            + " FROM desktops, SYSTEM_RANGE(1, :count) WHERE desktop_id = :id")
                    .bind("prefix", idPrefix)
                    .bind("count", count)
                    .bind("id", desktopId)
                    .execute());
  }

  @Test
  void poll_pendingTarget_returnsDecodedTask() {
    ServerFixture.Enrolled desktop = server.enrollDesktop();
    String invokeId = run(desktop, "echo h\u00e9");

    PollResponse response = server.poll(desktop, 1, 0, List.of());

    assertThat(response.tasks())
        .containsExactly(new Task(invokeId, ScriptType.RunShellScript, "echo h\u00e9", 60));
  }

  @Test
  void poll_freeSlotsLimit_handsOutOldestFirst() {
    ServerFixture.Enrolled desktop = server.enrollDesktop();
    String first = run(desktop, "echo 1");
    server.clock.advance(Duration.ofMillis(10));
    String second = run(desktop, "echo 2");

    PollResponse response = server.poll(desktop, 1, 0, List.of());
    PollResponse none = server.poll(desktop, 0, 0, List.of());
    PollResponse next = server.poll(desktop, 5, 0, List.of());

    assertThat(response.tasks()).extracting(Task::invokeId).containsExactly(first);
    assertThat(none.tasks()).isEmpty();
    assertThat(next.tasks()).extracting(Task::invokeId).containsExactly(second);
  }

  @Test
  void poll_waiting_wokenByRunCommand() throws Exception {
    ServerFixture.Enrolled desktop = server.enrollDesktop();
    CompletableFuture<PollResponse> poll =
        CompletableFuture.supplyAsync(() -> server.poll(desktop, 1, 5, List.of()));
    awaitWaitingPoll();
    long started = System.nanoTime();

    String invokeId = run(desktop, "echo woken");

    PollResponse response = poll.get(4, TimeUnit.SECONDS);
    assertThat(response.tasks()).extracting(Task::invokeId).containsExactly(invokeId);
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(3));
  }

  @Test
  void poll_waiting_handedTaskOnce() throws Exception {
    ServerFixture.Enrolled desktop = server.enrollDesktop();
    CompletableFuture<PollResponse> poll =
        CompletableFuture.supplyAsync(() -> server.poll(desktop, 1, 5, List.of()));
    awaitWaitingPoll();

    String invokeId = run(desktop, "echo handed");

    PollResponse response = poll.get(4, TimeUnit.SECONDS);
    assertThat(response.tasks()).hasSize(1);
    Task task = response.tasks().get(0);
    assertThat(task.invokeId()).isEqualTo(invokeId);
    assertThat(task.content()).isEqualTo("echo handed");
    assertThat(task.type()).isEqualTo(ScriptType.RunShellScript);
    assertThat(task.timeoutSeconds()).isEqualTo(60);
    assertThat(server.poll(desktop, 1, 0, List.of()).tasks()).isEmpty();
  }

  @Test
  void poll_noFreeSlot_taskLeftForLater() throws Exception {
    ServerFixture.Enrolled desktop = server.enrollDesktop();
    CompletableFuture<PollResponse> busy =
        CompletableFuture.supplyAsync(() -> server.poll(desktop, 0, 1, List.of()));
    awaitWaitingPoll();

    String invokeId = run(desktop, "echo later");

    assertThat(busy.get(4, TimeUnit.SECONDS).tasks()).isEmpty();
    assertThat(server.poll(desktop, 1, 0, List.of()).tasks())
        .extracting(Task::invokeId)
        .containsExactly(invokeId);
  }

  /** Gives the poll request time to reach the server and start waiting. */
  private static void awaitWaitingPoll() throws InterruptedException {
    // NOTE: the server exposes no signal for "poll is now waiting". A wake-up that comes earlier
    // is still caught by the poll's database read, so this pause only makes the test cover the
    // wait.
    Thread.sleep(300);
  }

  @Test
  void poll_nothingToDo_returnsEmptyAfterWait() {
    ServerFixture.Enrolled desktop = server.enrollDesktop();
    long started = System.nanoTime();

    PollResponse response = server.poll(desktop, 1, 1, List.of());

    assertThat(response.tasks()).isEmpty();
    assertThat(response.stopInvokeIds()).isEmpty();
    assertThat(Duration.ofNanos(System.nanoTime() - started))
        .isGreaterThanOrEqualTo(Duration.ofMillis(900));
  }

  @Test
  void poll_deliveredNotAcknowledged_reofferedAfterDelay() {
    ServerFixture.Enrolled desktop = server.enrollDesktop();
    String invokeId = run(desktop, "echo again");
    server.poll(desktop, 1, 0, List.of());

    PollResponse early = server.poll(desktop, 1, 0, List.of());
    server.clock.advance(Duration.ofSeconds(6));
    PollResponse late = server.poll(desktop, 1, 0, List.of());

    assertThat(early.tasks()).isEmpty();
    assertThat(late.tasks()).extracting(Task::invokeId).containsExactly(invokeId);
  }

  @Test
  void poll_acknowledged_notReoffered() {
    ServerFixture.Enrolled desktop = server.enrollDesktop();
    String invokeId = run(desktop, "echo once");
    server.poll(desktop, 1, 0, List.of());
    server.report(desktop, new RunReport(invokeId, TargetStatus.Running, null, "", 0, null, null));

    server.clock.advance(Duration.ofSeconds(6));

    assertThat(server.poll(desktop, 1, 0, List.of(invokeId)).tasks()).isEmpty();
    assertThat(status(invokeId, desktop)).isEqualTo(TargetStatus.Running);
  }

  @Test
  void poll_stopRequested_returnsStopInvokeId() throws Exception {
    ServerFixture.Enrolled desktop = server.enrollDesktop();
    String invokeId = run(desktop, "sleep 600");
    server.poll(desktop, 1, 0, List.of());
    server.report(desktop, new RunReport(invokeId, TargetStatus.Running, null, "", 0, null, null));
    CompletableFuture<PollResponse> poll =
        CompletableFuture.supplyAsync(() -> server.poll(desktop, 1, 5, List.of(invokeId)));
    awaitWaitingPoll();

    server.call("StopInvocation", params("InvokeId", invokeId));

    assertThat(poll.get(4, TimeUnit.SECONDS).stopInvokeIds()).containsExactly(invokeId);
    assertThat(status(invokeId, desktop)).isEqualTo(TargetStatus.Stopping);
    server.report(
        desktop, new RunReport(invokeId, TargetStatus.Terminated, 137L, "killed", 0, null, null));
    assertThat(status(invokeId, desktop)).isEqualTo(TargetStatus.Terminated);
  }

  @Test
  void poll_runningIdCancelledOnServer_askedToStop() {
    ServerFixture.Enrolled desktop = server.enrollDesktop();
    String invokeId = run(desktop, "echo late");
    server.poll(desktop, 1, 0, List.of());
    server.call("StopInvocation", params("InvokeId", invokeId));

    PollResponse response = server.poll(desktop, 1, 0, List.of(invokeId));

    assertThat(response.stopInvokeIds()).containsExactly(invokeId);
    assertThat(status(invokeId, desktop)).isEqualTo(TargetStatus.Cancelled);
  }

  @Test
  void poll_recordsHostnameAndVersion() {
    ServerFixture.Enrolled desktop = server.enrollDesktop();
    server.post(
        AgentProtocol.POLL_PATH,
        desktop.credential(),
        new PollRequest(
            1, 0, "renamed-host", "9.9.9", List.of(ScriptType.RunShellScript), List.of()),
        PollResponse.class);

    Map<String, Object> described =
        server.call("DescribeDesktops", params("DesktopId.1", desktop.desktopId()));

    assertThat(described.get("Desktops").toString())
        .contains("Hostname=renamed-host")
        .contains("AgentVersion=9.9.9")
        .contains("AgentStatus=Online");
  }

  @Test
  void poll_soonAfterHeartbeat_keepsStoredTime() {
    // The default heartbeat window is 90 s, so a stored heartbeat is refreshed after 15 s.
    ServerFixture.Enrolled desktop = server.enrollDesktop();
    server.poll(desktop, 1, 0, List.of());
    Object first = lastHeartbeat(desktop);

    server.clock.advance(Duration.ofSeconds(14));
    server.poll(desktop, 1, 0, List.of());
    Object afterFourteenSeconds = lastHeartbeat(desktop);
    server.clock.advance(Duration.ofSeconds(2));
    server.poll(desktop, 1, 0, List.of());
    Object afterSixteenSeconds = lastHeartbeat(desktop);

    assertThat(afterFourteenSeconds).isEqualTo(first);
    assertThat(afterSixteenSeconds).isNotEqualTo(first);
  }

  @Test
  void poll_shortHeartbeatWindow_refreshesSooner(@TempDir Path otherDir) {
    try (ServerFixture shortWindow =
        new ServerFixture(otherDir, config -> config.withHeartbeatWindow(Duration.ofSeconds(30)))) {
      ServerFixture.Enrolled desktop = shortWindow.enrollDesktop();
      shortWindow.poll(desktop, 1, 0, List.of());
      Object first = lastHeartbeat(shortWindow, desktop);

      shortWindow.clock.advance(Duration.ofSeconds(4));
      shortWindow.poll(desktop, 1, 0, List.of());
      Object afterFourSeconds = lastHeartbeat(shortWindow, desktop);
      shortWindow.clock.advance(Duration.ofSeconds(2));
      shortWindow.poll(desktop, 1, 0, List.of());
      Object afterSixSeconds = lastHeartbeat(shortWindow, desktop);

      assertThat(afterFourSeconds).isEqualTo(first);
      assertThat(afterSixSeconds).isNotEqualTo(first);
    }
  }

  private Object lastHeartbeat(ServerFixture.Enrolled desktop) {
    return lastHeartbeat(server, desktop);
  }

  private static Object lastHeartbeat(ServerFixture fixture, ServerFixture.Enrolled desktop) {
    Map<String, Object> described =
        fixture.call("DescribeDesktops", params("DesktopId.1", desktop.desktopId()));
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> desktops = (List<Map<String, Object>>) described.get("Desktops");
    return desktops.get(0).get("LastHeartbeatTime");
  }

  @Test
  void report_repeatedFinal_changesNothing() {
    ServerFixture.Enrolled desktop = server.enrollDesktop();
    String invokeId = run(desktop, "echo done");
    server.poll(desktop, 1, 0, List.of());
    server.report(
        desktop, new RunReport(invokeId, TargetStatus.Running, null, "do", 0, null, null));
    server.report(
        desktop, new RunReport(invokeId, TargetStatus.Success, 0L, "done\n", 0, null, null));

    server.report(
        desktop, new RunReport(invokeId, TargetStatus.Failed, 3L, "other", 0, null, null));
    server.report(
        desktop, new RunReport(invokeId, TargetStatus.Running, null, "late", 0, null, null));

    Map<String, Object> target = onlyTarget(invokeId);
    assertThat(target.get("InvocationStatus")).isEqualTo("Success");
    assertThat(((Number) target.get("ExitCode")).longValue()).isEqualTo(0L);
    assertThat(target.get("Output")).isEqualTo("done\n");
  }

  @Test
  void report_failedWithoutCode_getsExitCodeNonzero() {
    ServerFixture.Enrolled desktop = server.enrollDesktop();
    String invokeId = run(desktop, "exit 3");
    server.poll(desktop, 1, 0, List.of());

    server.report(desktop, new RunReport(invokeId, TargetStatus.Failed, 3L, "", 0, null, null));

    Map<String, Object> target = onlyTarget(invokeId);
    assertThat(target.get("InvocationStatus")).isEqualTo("Failed");
    assertThat(target.get("ErrorCode")).isEqualTo("ExitCodeNonzero");
    assertThat(((Number) target.get("ExitCode")).longValue()).isEqualTo(3L);
    assertThat((String) target.get("ErrorInfo")).isNotBlank();
  }

  @Test
  void report_runningWithOutput_updatesPartialOutput() {
    ServerFixture.Enrolled desktop = server.enrollDesktop();
    String invokeId = run(desktop, "echo a; sleep 5; echo b");
    server.poll(desktop, 1, 0, List.of());

    server.report(
        desktop, new RunReport(invokeId, TargetStatus.Running, null, "a\n", 0, null, null));
    server.report(
        desktop, new RunReport(invokeId, TargetStatus.Running, null, "a\nb\n", 0, null, null));

    Map<String, Object> target = onlyTarget(invokeId);
    assertThat(target.get("InvocationStatus")).isEqualTo("Running");
    assertThat(target.get("Output")).isEqualTo("a\nb\n");
    assertThat(target).containsKey("StartTime");
  }

  @Test
  void report_outputOverLimit_keepsTailAndCountsDropped() {
    ServerFixture.Enrolled desktop = server.enrollDesktop();
    String invokeId = run(desktop, "echo big");
    server.poll(desktop, 1, 0, List.of());
    String output = "\u00e9".repeat(AgentProtocol.OUTPUT_LIMIT_BYTES / 2 + 10) + "END";

    server.report(
        desktop, new RunReport(invokeId, TargetStatus.Success, 0L, output, 100, null, null));

    Map<String, Object> target = onlyTarget(invokeId);
    String kept = (String) target.get("Output");
    assertThat(kept).endsWith("END");
    assertThat(kept.getBytes(StandardCharsets.UTF_8).length)
        .isLessThanOrEqualTo(AgentProtocol.OUTPUT_LIMIT_BYTES);
    long total = output.getBytes(StandardCharsets.UTF_8).length;
    assertThat(target.get("Dropped"))
        .isEqualTo((int) (100 + total - kept.getBytes(StandardCharsets.UTF_8).length));
  }

  @Test
  void report_outputOfControlCharacters_acceptedDespiteEscapes() {
    ServerFixture.Enrolled desktop = server.enrollDesktop();
    String invokeId = run(desktop, "head -c 24576 /dev/zero");
    server.poll(desktop, 1, 0, List.of());
    String output = "\u0000".repeat(AgentProtocol.OUTPUT_LIMIT_BYTES);

    server.report(
        desktop, new RunReport(invokeId, TargetStatus.Success, 0L, output, 0, null, null));

    assertThat(status(invokeId, desktop)).isEqualTo(TargetStatus.Success);
  }

  @Test
  void report_unknownTarget_notFound() {
    ServerFixture.Enrolled desktop = server.enrollDesktop();

    ServerFixture.Rejected rejected =
        server.postRejected(
            AgentProtocol.REPORT_PATH,
            desktop.credential(),
            new RunReport(
                "t-000000000000000000000000", TargetStatus.Success, 0L, "", 0, null, null));

    assertThat(rejected.status()).isEqualTo(404);
    assertThat(rejected.error().code()).isEqualTo("InvalidInvokeId.NotFound");
  }

  @Test
  void report_targetOfOtherDesktop_notFoundAndUnchanged() {
    ServerFixture.Enrolled owner = server.enrollDesktop();
    ServerFixture.Enrolled stranger = server.enrollDesktop();
    String invokeId = run(owner, "echo mine");

    ServerFixture.Rejected rejected =
        server.postRejected(
            AgentProtocol.REPORT_PATH,
            stranger.credential(),
            new RunReport(invokeId, TargetStatus.Success, 0L, "", 0, null, null));

    assertThat(rejected.status()).isEqualTo(404);
    assertThat(status(invokeId, owner)).isEqualTo(TargetStatus.Pending);
  }

  @Test
  void poll_emptyBody_invalidRequest() {
    ServerFixture.Enrolled desktop = server.enrollDesktop();

    ServerFixture.Rejected rejected =
        server.postRejected(AgentProtocol.POLL_PATH, desktop.credential(), new byte[0]);

    assertThat(rejected.status()).isEqualTo(400);
    assertThat(rejected.error().code()).isEqualTo("InvalidRequest");
  }

  @Test
  void unknownAgentPath_notFound() {
    ServerFixture.Rejected rejected = server.postRejected("/agent/v1/nothing", null, Map.of());

    assertThat(rejected.status()).isEqualTo(404);
    assertThat(rejected.error().code()).isEqualTo("InvalidPath");
  }

  @Test
  void report_missingStatus_invalidRequest() {
    ServerFixture.Enrolled desktop = server.enrollDesktop();

    ServerFixture.Rejected rejected =
        server.postRejected(
            AgentProtocol.REPORT_PATH,
            desktop.credential(),
            "{\"invokeId\":\"t-1\"}".getBytes(StandardCharsets.UTF_8));

    assertThat(rejected.status()).isEqualTo(400);
    assertThat(rejected.error().code()).isEqualTo("InvalidRequest");
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> onlyTarget(String invokeId) {
    Map<String, Object> described =
        server.call(
            "DescribeInvocations",
            params("InvokeId", invokeId, "IncludeOutput", "true", "ContentEncoding", "PlainText"));
    List<Map<String, Object>> invocations =
        (List<Map<String, Object>>) described.get("Invocations");
    return ((List<Map<String, Object>>) invocations.get(0).get("InvokeDesktops")).get(0);
  }
}
