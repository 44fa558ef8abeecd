package io.deskrun.server.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.aliyun.ecd20200930.Client;
import com.aliyun.ecd20200930.models.DescribeInvocationsRequest;
import com.aliyun.ecd20200930.models.RunCommandRequest;
import com.aliyun.ecd20200930.models.StopInvocationRequest;
import com.aliyun.tea.TeaException;
import io.deskrun.server.account.Accounts;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Read-only AccessKeys against the real server through the official SDK: they may call the Describe
 * actions and get {@code 403 Forbidden} for every other action, with V1 and V3.
 */
class PermissionTest {
  @TempDir static Path dir;

  private static LiveServer server;
  private static Accounts.NewAccessKey readOnlyKey;
  private static Accounts.NewAccessKey fullKey;

  @BeforeAll
  static void start() throws Exception {
    server = LiveServer.start(dir.resolve("server"));
    readOnlyKey = server.server().accounts().createAccessKey(Accounts.DEFAULT_ACCOUNT_ID, true);
    fullKey = server.server().accounts().createAccessKey(Accounts.DEFAULT_ACCOUNT_ID, false);
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  private static Client clientOf(Accounts.NewAccessKey key) throws Exception {
    return new Client(
        server
            .config()
            .setAccessKeyId(key.accessKeyId())
            .setAccessKeySecret(key.accessKeySecret()));
  }

  private static RunCommandRequest runCommand() {
    return new RunCommandRequest()
        .setRegionId(LiveServer.REGION)
        .setDesktopId(List.of("ecd-none"))
        .setType("RunShellScript")
        .setCommandContent("echo hi");
  }

  @Test
  void describeInvocations_readOnlyKey_answersPage() throws Exception {
    var response =
        clientOf(readOnlyKey)
            .describeInvocations(new DescribeInvocationsRequest().setRegionId(LiveServer.REGION));

    assertThat(response.getStatusCode()).isEqualTo(200);
    assertThat(response.getBody().getInvocations()).isNotNull();
  }

  @Test
  void runCommand_readOnlyKey_forbidden() throws Exception {
    Client client = clientOf(readOnlyKey);

    TeaException error =
        catchThrowableOfType(TeaException.class, () -> client.runCommand(runCommand()));

    assertThat(error.getCode()).isEqualTo("Forbidden");
    assertThat(error.getData().get("statusCode")).isEqualTo(403);
    assertThat(error.getMessage()).contains("RunCommand", readOnlyKey.accessKeyId(), "read-only");
  }

  @Test
  void stopInvocation_readOnlyKeyWithV3_forbidden() throws Exception {
    Client client = clientOf(readOnlyKey);
    client._signatureAlgorithm = null;

    TeaException error =
        catchThrowableOfType(
            TeaException.class,
            () ->
                client.stopInvocation(
                    new StopInvocationRequest()
                        .setRegionId(LiveServer.REGION)
                        .setInvokeId("t-000000000000000000000000")));

    assertThat(error.getCode()).isEqualTo("Forbidden");
    assertThat(error.getMessage()).contains("StopInvocation", readOnlyKey.accessKeyId());
  }

  @Test
  void runCommand_fullKey_reachesAction() throws Exception {
    Client client = clientOf(fullKey);

    TeaException error =
        catchThrowableOfType(TeaException.class, () -> client.runCommand(runCommand()));

    assertThat(error.getCode()).isEqualTo("InvalidDesktopId.NotFound");
  }

  @Test
  void find_eachKey_reportsPermission() {
    Accounts accounts = server.server().accounts();

    assertThat(accounts.find(server.keyId()).orElseThrow().readOnly()).isFalse();
    assertThat(accounts.find(fullKey.accessKeyId()).orElseThrow().readOnly()).isFalse();
    assertThat(accounts.find(readOnlyKey.accessKeyId()).orElseThrow().readOnly()).isTrue();
  }
}
