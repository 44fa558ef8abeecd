package io.deskrun.server;

import static io.deskrun.server.ServerFixture.params;
import static org.assertj.core.api.Assertions.assertThat;

import io.deskrun.protocol.AgentProtocol;
import io.deskrun.protocol.EnrollRequest;
import io.deskrun.protocol.OsType;
import io.deskrun.protocol.ScriptType;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Desktops belong to the region they enrolled in; other regions behave as if they were absent. */
class RegionTest {
  static final String OTHER_REGION = "cn-shanghai";

  @TempDir static Path dataDir;
  static ServerFixture server;
  static ServerFixture.Enrolled desktop;

  @BeforeAll
  static void start() {
    server =
        new ServerFixture(
            dataDir, config -> config.withRegions(Set.of(ServerFixture.REGION, OTHER_REGION)));
    desktop = server.enrollDesktop();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static EnrollRequest enrollIn(String regionId) {
    Map<String, Object> activation = server.call("CreateActivation", params());
    return new EnrollRequest(
        (String) activation.get("ActivationId"),
        (String) activation.get("ActivationCode"),
        regionId,
        "h",
        OsType.Linux,
        "1",
        List.of(ScriptType.RunShellScript));
  }

  @Test
  void runCommand_desktopOfOtherRegion_notFound() {
    ServerFixture.ApiFailure error =
        server.failure(
            "RunCommand",
            params(
                "RegionId",
                OTHER_REGION,
                "Type",
                "RunShellScript",
                "CommandContent",
                "echo",
                "DesktopId.1",
                desktop.desktopId()));

    assertThat(error.code()).isEqualTo("InvalidDesktopId.NotFound");
  }

  @Test
  void describeDesktops_otherRegion_empty() {
    Map<String, Object> response =
        server.call("DescribeDesktops", params("RegionId", OTHER_REGION));

    assertThat((List<?>) response.get("Desktops")).isEmpty();
  }

  @Test
  void anyAction_unknownRegion_regionNotFound() {
    ServerFixture.ApiFailure error =
        server.failure("DescribeDesktops", params("RegionId", "eu-central-1"));

    assertThat(error.code()).isEqualTo("InvalidRegionId.NotFound");
    assertThat(error.httpStatus()).isEqualTo(404);
  }

  @Test
  void enroll_regionOtherThanActivation_rejected() {
    ServerFixture.Rejected rejected =
        server.postRejected(AgentProtocol.ENROLL_PATH, null, enrollIn(OTHER_REGION));

    assertThat(rejected.error().code()).isEqualTo("InvalidActivation.NotFound");
  }

  @Test
  void enroll_unservedRegion_regionNotFound() {
    ServerFixture.Rejected rejected =
        server.postRejected(AgentProtocol.ENROLL_PATH, null, enrollIn("eu-central-1"));

    assertThat(rejected.status()).isEqualTo(404);
    assertThat(rejected.error().code()).isEqualTo("InvalidRegionId.NotFound");
  }

  @Test
  void enroll_noRegion_takesActivationRegion() {
    Map<?, ?> enrolled = server.post(AgentProtocol.ENROLL_PATH, null, enrollIn(null), Map.class);

    assertThat(enrolled.get("regionId")).isEqualTo(ServerFixture.REGION);
  }
}
