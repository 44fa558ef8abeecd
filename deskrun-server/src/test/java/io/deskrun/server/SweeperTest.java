package io.deskrun.server;

import static io.deskrun.server.ServerFixture.params;
import static org.assertj.core.api.Assertions.assertThat;

import io.deskrun.protocol.RunReport;
import io.deskrun.protocol.TargetStatus;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sweeper's steps on H2; {@link SweeperOnPostgresTest} runs them on PostgreSQL. */
class SweeperTest {
  @TempDir Path dataDir;
  ServerFixture server;
  ServerFixture.Enrolled desktop;

  @BeforeEach
  void start() {
    server =
        new ServerFixture(
            dataDir,
            config ->
                onDatabase(config)
                    .withRetentionDays(1)
                    .withRetentionMaxInvocations(3)
                    .withExecutionGrace(Duration.ofSeconds(30)));
    desktop = server.enrollDesktop();
  }

  /** Points the server at the database under test; H2 in the data dir here. */
  ServerConfig onDatabase(ServerConfig config) {
    return config;
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private String run(String timeout) {
    return (String)
        server
            .call(
                "RunCommand",
                params(
                    "Type",
                    "RunShellScript",
                    "CommandContent",
                    "echo",
                    "DesktopId.1",
                    desktop.desktopId(),
                    "Timeout",
                    timeout))
            .get("InvokeId");
  }

  private TargetStatus status(String invokeId) {
    return server.components.targets.statusOf(invokeId, desktop.desktopId()).orElseThrow();
  }

  private int invocationCount() {
    return server
        .database
        .jdbi()
        .withHandle(h -> h.createQuery("SELECT COUNT(*) FROM invocations").mapTo(int.class).one());
  }

  @Test
  void sweep_undeliveredPastWindow_abortedDeliveryTimeout() {
    String invokeId = run("60");

    server.clock.advance(Duration.ofSeconds(61));
    server.components.sweeper.sweep();

    assertThat(status(invokeId)).isEqualTo(TargetStatus.Aborted);
    Map<String, Object> described =
        server.call("DescribeInvocations", params("InvokeId", invokeId));
    assertThat(described.get("Invocations").toString()).contains("ErrorCode=DeliveryTimeout");
  }

  @Test
  void sweep_silentAgentPastDeadline_errorClientNotResponse() {
    String invokeId = run("10");
    server.poll(desktop, 1, 0, List.of());
    server.report(desktop, new RunReport(invokeId, TargetStatus.Running, null, "", 0, null, null));

    server.clock.advance(Duration.ofSeconds(41));
    server.components.sweeper.sweep();

    assertThat(status(invokeId)).isEqualTo(TargetStatus.Error);
  }

  @Test
  void sweep_runWithinDeadline_untouched() {
    String invokeId = run("600");
    server.poll(desktop, 1, 0, List.of());
    server.report(desktop, new RunReport(invokeId, TargetStatus.Running, null, "", 0, null, null));

    server.clock.advance(Duration.ofSeconds(120));
    server.components.sweeper.sweep();

    assertThat(status(invokeId)).isEqualTo(TargetStatus.Running);
  }

  @Test
  void sweep_expiredNonces_purged() {
    java.time.Instant expiry = server.clock.instant().plusSeconds(900);
    assertThat(server.components.nonces.register("key", "n1", expiry)).isTrue();
    assertThat(server.components.nonces.register("key", "n1", expiry)).isFalse();
    server.components.nonces.flush();

    server.clock.advance(Duration.ofSeconds(901));
    server.components.sweeper.sweep();

    int left =
        server
            .database
            .jdbi()
            .withHandle(
                h ->
                    h.createQuery("SELECT COUNT(*) FROM nonces WHERE access_key_id = 'key'")
                        .mapTo(int.class)
                        .one());
    assertThat(left).isZero();
    assertThat(server.components.nonces.register("key", "n1", expiry.plusSeconds(900))).isTrue();
  }

  @Test
  void sweep_retention_deletesOldAndOverflow() {
    String old = run("60");
    server.clock.advance(Duration.ofDays(1).plusSeconds(1));
    server.poll(desktop, 0, 0, List.of());
    String[] recent = new String[4];
    for (int i = 0; i < recent.length; i++) {
      server.clock.advance(Duration.ofSeconds(1));
      recent[i] = run("60");
    }

    server.components.sweeper.sweep();

    assertThat(invocationCount()).isEqualTo(3);
    assertThat(server.components.targets.statusOf(old, desktop.desktopId())).isEmpty();
    assertThat(server.components.targets.statusOf(recent[0], desktop.desktopId())).isEmpty();
    assertThat(server.components.targets.statusOf(recent[3], desktop.desktopId())).isPresent();
  }
}
