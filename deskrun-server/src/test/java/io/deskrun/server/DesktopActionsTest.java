package io.deskrun.server;

import static io.deskrun.server.ServerFixture.params;
import static org.assertj.core.api.Assertions.assertThat;

import io.deskrun.protocol.AgentProtocol;
import io.deskrun.protocol.EnrollRequest;
import io.deskrun.protocol.OsType;
import io.deskrun.protocol.ScriptType;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DesktopActionsTest {
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

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> list(Map<String, Object> response, String field) {
    return (List<Map<String, Object>>) response.get(field);
  }

  @Test
  void createActivation_defaults_returnsIdAndCode() {
    Map<String, Object> created = server.call("CreateActivation", params());

    assertThat((String) created.get("ActivationId")).matches("act-[a-z0-9]{24}");
    assertThat((String) created.get("ActivationCode")).isNotBlank();
    Map<String, Object> item =
        list(
                server.call(
                    "DescribeActivations",
                    params("ActivationId", (String) created.get("ActivationId"))),
                "Activations")
            .get(0);
    assertThat(item.get("InstanceName")).isEqualTo("desktop");
    assertThat(item.get("InstanceCount")).isEqualTo(10);
    assertThat(item.get("RegisteredCount")).isEqualTo(0);
    assertThat(item.get("Disabled")).isEqualTo(false);
    assertThat(item).doesNotContainKey("ActivationCode");
    assertThat(item.toString()).doesNotContain((String) created.get("ActivationCode"));
  }

  @Test
  void createActivation_ttl_expiryTimeFollows() {
    Map<String, Object> created = server.call("CreateActivation", params("TimeToLiveInHours", "2"));

    Map<String, Object> item =
        list(
                server.call(
                    "DescribeActivations",
                    params("ActivationId", (String) created.get("ActivationId"))),
                "Activations")
            .get(0);

    java.time.Instant creation = java.time.Instant.parse((String) item.get("CreationTime"));
    java.time.Instant expiry = java.time.Instant.parse((String) item.get("ExpiryTime"));
    assertThat(Duration.between(creation, expiry)).isEqualTo(Duration.ofHours(2));
  }

  @Test
  void createActivation_outOfRange_rejected() {
    Map<String, String> cases =
        Map.of("InstanceCount", "1001", "TimeToLiveInHours", "0", "InstanceName", "x".repeat(129));
    cases.forEach(
        (name, value) -> {
          ServerFixture.ApiFailure error = server.failure("CreateActivation", params(name, value));
          assertThat(error.code()).as(name).isEqualTo("InvalidParameter." + name);
        });
  }

  @Test
  void describeActivations_paging_visitsAllOnce() {
    for (int i = 0; i < 3; i++) {
      server.clock.advance(Duration.ofSeconds(1));
      server.call("CreateActivation", params());
    }
    List<String> seen = new ArrayList<>();
    String token = null;
    int total = 0;
    for (int page = 0; page < 50; page++) {
      Map<String, String> parameters = params("MaxResults", "2");
      if (token != null) {
        parameters.put("NextToken", token);
      }
      Map<String, Object> response = server.call("DescribeActivations", parameters);
      list(response, "Activations").forEach(item -> seen.add((String) item.get("ActivationId")));
      total = (Integer) response.get("TotalCount");
      token = (String) response.get("NextToken");
      if (token.isEmpty()) {
        break;
      }
    }

    assertThat(seen).doesNotHaveDuplicates().hasSize(total);
    assertThat(total).isGreaterThanOrEqualTo(3);
  }

  @Test
  void describeActivations_otherAccount_seesNothing() {
    Map<String, Object> created = server.call("CreateActivation", params());
    String other = server.otherAccount();

    Map<String, Object> response =
        server.callAs(
            other,
            "DescribeActivations",
            params("ActivationId", (String) created.get("ActivationId")));

    assertThat(list(response, "Activations")).isEmpty();
    assertThat(response.get("TotalCount")).isEqualTo(0);
  }

  @Test
  void disableActivation_unknown_notFound() {
    ServerFixture.ApiFailure error =
        server.failure("DisableActivation", params("ActivationId", "act-000000000000000000000000"));

    assertThat(error.code()).isEqualTo("InvalidActivationId.NotFound");
  }

  @Test
  void deleteActivation_withRegisteredDesktop_inUseUntilDeregistered() {
    Map<String, Object> created = server.call("CreateActivation", params());
    String activationId = (String) created.get("ActivationId");
    Map<?, ?> enrolled =
        server.post(
            AgentProtocol.ENROLL_PATH,
            null,
            new EnrollRequest(
                activationId,
                (String) created.get("ActivationCode"),
                ServerFixture.REGION,
                "h",
                OsType.Windows,
                "1",
                List.of(ScriptType.RunBatScript)),
            Map.class);

    ServerFixture.ApiFailure inUse =
        server.failure("DeleteActivation", params("ActivationId", activationId));
    server.call("DeregisterDesktop", params("DesktopId", (String) enrolled.get("desktopId")));
    server.call("DeleteActivation", params("ActivationId", activationId));

    assertThat(inUse.code()).isEqualTo("InvalidActivation.InUse");
    assertThat(inUse.getMessage()).contains("1 registered");
    assertThat(
            list(
                server.call("DescribeActivations", params("ActivationId", activationId)),
                "Activations"))
        .isEmpty();
  }

  @Test
  void deleteActivation_unknown_notFound() {
    ServerFixture.ApiFailure error =
        server.failure("DeleteActivation", params("ActivationId", "act-000000000000000000000000"));

    assertThat(error.code()).isEqualTo("InvalidActivationId.NotFound");
  }

  @Test
  void describeDesktops_fields_matchEnrollment() {
    ServerFixture.Enrolled desktop = server.enrollDesktop();

    Map<String, Object> response =
        server.call("DescribeDesktops", params("DesktopId.1", desktop.desktopId()));

    Map<String, Object> item = list(response, "Desktops").get(0);
    assertThat(item.get("DesktopId")).isEqualTo(desktop.desktopId());
    assertThat((String) item.get("DesktopName")).startsWith("desktop-");
    assertThat(item.get("OsType")).isEqualTo("Linux");
    assertThat(item.get("Hostname")).isEqualTo("host-1");
    assertThat(item.get("AgentStatus")).isEqualTo("Online");
    assertThat(item.get("RegionId")).isEqualTo("cn-hangzhou");
    assertThat(item).containsKeys("LastHeartbeatTime", "CreationTime", "AgentVersion");
    assertThat(response.get("TotalCount")).isEqualTo(1);
  }

  @Test
  void describeDesktops_silentAgent_offline() {
    ServerFixture.Enrolled desktop = server.enrollDesktop();

    server.clock.advance(Duration.ofSeconds(91));

    Map<String, Object> item =
        list(
                server.call("DescribeDesktops", params("DesktopId.1", desktop.desktopId())),
                "Desktops")
            .get(0);
    assertThat(item.get("AgentStatus")).isEqualTo("Offline");
  }

  @Test
  void describeDesktops_paging_visitsAllOnce() {
    for (int i = 0; i < 3; i++) {
      server.clock.advance(Duration.ofSeconds(1));
      server.enrollDesktop();
    }
    List<String> seen = new ArrayList<>();
    String token = null;
    int total = 0;
    for (int page = 0; page < 50; page++) {
      Map<String, String> parameters = params("MaxResults", "2");
      if (token != null) {
        parameters.put("NextToken", token);
      }
      Map<String, Object> response = server.call("DescribeDesktops", parameters);
      list(response, "Desktops").forEach(item -> seen.add((String) item.get("DesktopId")));
      total = (Integer) response.get("TotalCount");
      token = (String) response.get("NextToken");
      if (token.isEmpty()) {
        break;
      }
    }

    assertThat(seen).doesNotHaveDuplicates().hasSize(total);
    assertThat(total).isGreaterThanOrEqualTo(3);
  }

  @Test
  void describeDesktops_maxResultsOutOfRange_rejected() {
    ServerFixture.ApiFailure error =
        server.failure("DescribeDesktops", params("MaxResults", "101"));

    assertThat(error.code()).isEqualTo("InvalidParameter.MaxResults");
  }

  @Test
  void deregisterDesktop_otherAccount_notFound() {
    ServerFixture.Enrolled desktop = server.enrollDesktop();
    String other = server.otherAccount();

    ServerFixture.ApiFailure error =
        server.failureAs(other, "DeregisterDesktop", params("DesktopId", desktop.desktopId()));

    assertThat(error.code()).isEqualTo("InvalidDesktopId.NotFound");
    assertThat(server.poll(desktop, 0, 0, List.of()).tasks()).isEmpty();
  }
}
