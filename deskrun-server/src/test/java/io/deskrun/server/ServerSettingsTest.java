package io.deskrun.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServerSettingsTest {
  @TempDir Path dir;

  private Path file(String text) throws IOException {
    Path file = dir.resolve("server.properties");
    Files.writeString(file, text);
    return file;
  }

  @Test
  void load_nothingGiven_defaults() {
    ServerConfig config = ServerSettings.load(null, Map.of(), Map.of());

    assertThat(config.bindAddress()).isEqualTo("127.0.0.1");
    assertThat(config.port()).isEqualTo(8080);
    assertThat(config.dataDir()).isEqualTo(Path.of("data").toAbsolutePath());
    assertThat(config.databaseUrl())
        .isEqualTo(
            "jdbc:h2:file:"
                + Path.of("data", "db", "deskrun").toAbsolutePath()
                + ";QUERY_CACHE_SIZE=128;WRITE_DELAY=5000");
    assertThat(config.regions()).containsExactly("cn-hangzhou");
    assertThat(config.masterKey()).isEmpty();
    assertThat(config.heartbeatWindow()).isEqualTo(Duration.ofSeconds(90));
    assertThat(config.deliveryWindow()).isEqualTo(Duration.ofSeconds(60));
    assertThat(config.longPollWait()).isEqualTo(Duration.ofSeconds(25));
    assertThat(config.executionGrace()).isEqualTo(Duration.ofSeconds(60));
    assertThat(config.retentionDays()).isEqualTo(14);
    assertThat(config.retentionMaxInvocations()).isEqualTo(100_000);
    assertThat(config.tlsCert()).isEmpty();
    assertThat(config.tlsKey()).isEmpty();
    assertThat(config.apiRateLimit()).isEqualTo(200);
    assertThat(config.agentPollRateLimit()).isEqualTo(600);
  }

  @Test
  void load_tlsAndRateLimits_applied() {
    ServerConfig config =
        ServerSettings.load(
            null,
            Map.of("DESKRUN_API_RATE_LIMIT", "0"),
            Map.of(
                "tls-cert", "certs/server.crt",
                "tls-key", "certs/server.key",
                "agent-poll-rate-limit", "30"));

    assertThat(config.tlsCert()).hasValue(Path.of("certs/server.crt").toAbsolutePath());
    assertThat(config.tlsKey()).hasValue(Path.of("certs/server.key").toAbsolutePath());
    assertThat(config.apiRateLimit()).isZero();
    assertThat(config.agentPollRateLimit()).isEqualTo(30);
  }

  @Test
  void load_tlsCertWithoutKey_rejectedNamingBoth() {
    assertThatThrownBy(() -> ServerSettings.load(null, Map.of(), Map.of("tls-cert", "server.crt")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("tls-cert")
        .hasMessageContaining("tls-key");
  }

  @Test
  void load_allSources_flagsOverEnvironmentOverFile() throws IOException {
    Path file = file("port=1000\nbind=10.0.0.1\nregions=cn-shanghai\nretention-days=3\n");

    ServerConfig config =
        ServerSettings.load(
            file,
            Map.of("DESKRUN_PORT", "2000", "DESKRUN_REGIONS", "cn-beijing, cn-hangzhou"),
            Map.of("port", "3000"));

    assertThat(config.port()).isEqualTo(3000);
    assertThat(config.bindAddress()).isEqualTo("10.0.0.1");
    assertThat(config.regions()).containsExactlyInAnyOrder("cn-beijing", "cn-hangzhou");
    assertThat(config.retentionDays()).isEqualTo(3);
  }

  @Test
  void load_dataDir_movesDefaultDatabase() {
    ServerConfig config =
        ServerSettings.load(null, Map.of("DESKRUN_DATA_DIR", dir.toString()), Map.of());

    assertThat(config.dataDir()).isEqualTo(dir.toAbsolutePath());
    assertThat(config.databaseUrl()).contains(dir.resolve("db").toString());
  }

  @Test
  void load_unknownKeyInFile_rejectedNamingIt() throws IOException {
    Path file = file("prot=8080\n");

    assertThatThrownBy(() -> ServerSettings.load(file, Map.of(), Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("\"prot\"")
        .hasMessageContaining("port");
  }

  @Test
  void load_unknownFlag_rejected() {
    assertThatThrownBy(() -> ServerSettings.load(null, Map.of(), Map.of("verbose", "true")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("\"verbose\"");
  }

  @Test
  void load_unrelatedEnvironment_ignored() {
    ServerConfig config =
        ServerSettings.load(null, Map.of("DESKRUN_INVOKE_ID", "t-1", "PORT", "1"), Map.of());

    assertThat(config.port()).isEqualTo(8080);
  }

  @Test
  void load_badValues_rejectedNamingSettingValueAndRule() {
    Map<String, String> cases =
        Map.of(
            "port", "70000",
            "heartbeat-window-seconds", "0",
            "long-poll-wait-seconds", "31",
            "retention-days", "many",
            "regions", "CN_Hangzhou",
            "database-url", "h2:mem",
            "api-rate-limit", "-1",
            "agent-poll-rate-limit", "lots");
    cases.forEach(
        (name, value) ->
            assertThatThrownBy(() -> ServerSettings.load(null, Map.of(), Map.of(name, value)))
                .as(name)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(name)
                .hasMessageContaining(value)
                .hasMessageContaining("must"));
  }

  @Test
  void load_badMasterKey_rejectedWithoutEchoingIt() {
    String shortKey = Base64.getEncoder().encodeToString(new byte[16]);

    assertThatThrownBy(
            () -> ServerSettings.load(null, Map.of("DESKRUN_MASTER_KEY", shortKey), Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("master-key")
        .hasMessageContaining("32 bytes")
        .hasMessageNotContaining(shortKey);
  }

  @Test
  void load_portZero_allowed() {
    assertThat(ServerSettings.load(null, Map.of(), Map.of("port", "0")).port()).isZero();
  }

  @Test
  void withMethods_returnChangedCopy() {
    ServerConfig base = ServerConfig.forDataDir(dir);

    ServerConfig changed = base.withRegions(Set.of("cn-shanghai")).withPort(9000);

    assertThat(base.port()).isZero();
    assertThat(base.regions()).containsExactly("cn-hangzhou");
    assertThat(changed.port()).isEqualTo(9000);
    assertThat(changed.regions()).containsExactly("cn-shanghai");
  }

  @Test
  void toString_passwordInUrl_masked() {
    ServerConfig config =
        ServerConfig.forDataDir(dir)
            .withDatabaseUrl(
                "jdbc:postgresql://127.0.0.1/deskrun?user=u&password=hunter2&ssl=true");

    assertThat(config.toString()).doesNotContain("hunter2").contains("password=***&ssl=true");
  }

  @Test
  void toString_leavesOutSecrets() {
    String key = Base64.getEncoder().encodeToString(new byte[32]);
    ServerConfig config =
        ServerConfig.forDataDir(dir).withMasterKey(key).withDatabaseCredentials("u", "hunter2");

    assertThat(config.toString()).doesNotContain(key).doesNotContain("hunter2");
  }
}
