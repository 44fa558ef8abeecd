package io.deskrun.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.deskrun.protocol.OsType;
import io.deskrun.protocol.ScriptType;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentConfigTest {
  @Test
  void build_onlyRequired_defaults() {
    AgentConfig config =
        AgentConfig.builder()
            .server(URI.create("http://127.0.0.1:1"))
            .stateDir(Path.of("s"))
            .build();

    assertThat(config.regionId()).isEqualTo("cn-hangzhou");
    assertThat(config.maxConcurrentRuns()).isEqualTo(10);
    assertThat(config.workingDirectory()).isEqualTo(Path.of(System.getProperty("user.home")));
    assertThat(config.pollWaitSeconds()).isEqualTo(30);
    assertThat(config.activationId()).isEmpty();
    assertThat(config.interpreters()).isEmpty();
  }

  @Test
  void build_interpreter_stored() {
    AgentConfig config =
        AgentConfig.builder()
            .server(URI.create("http://127.0.0.1:1"))
            .stateDir(Path.of("s"))
            .interpreter(ScriptType.RunBatScript, List.of("wine", "cmd", "/c"))
            .build();

    assertThat(config.interpreters())
        .containsEntry(ScriptType.RunBatScript, List.of("wine", "cmd", "/c"));
  }

  @Test
  void build_zeroConcurrentRuns_rejectedNamingValue() {
    AgentConfig.Builder builder =
        AgentConfig.builder()
            .server(URI.create("http://127.0.0.1:1"))
            .stateDir(Path.of("s"))
            .maxConcurrentRuns(0);

    assertThatThrownBy(builder::build)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxConcurrentRuns must be from 1 to 1000, got 0");
  }

  @Test
  void build_nonHttpServer_rejected() {
    AgentConfig.Builder builder =
        AgentConfig.builder().server(URI.create("ftp://127.0.0.1/")).stateDir(Path.of("s"));

    assertThatThrownBy(builder::build).hasMessageContaining("ftp://127.0.0.1/");
  }

  @Test
  void build_trustedCertificateMissing_rejectedNamingFile(@TempDir Path dir) {
    Path missing = dir.resolve("ca.pem");
    AgentConfig.Builder builder =
        AgentConfig.builder()
            .server(URI.create("https://127.0.0.1:1"))
            .stateDir(Path.of("s"))
            .trustedCertificate(missing);

    assertThatThrownBy(builder::build)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("trustedCertificate " + missing)
        .hasMessageContaining("does not exist");
  }

  @Test
  void build_trustedCertificateWithoutCertificate_rejected(@TempDir Path dir) throws Exception {
    Path notPem = Files.writeString(dir.resolve("ca.pem"), "not a certificate\n");
    AgentConfig.Builder builder =
        AgentConfig.builder()
            .server(URI.create("https://127.0.0.1:1"))
            .stateDir(Path.of("s"))
            .trustedCertificate(notPem);

    assertThatThrownBy(builder::build)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("trustedCertificate " + notPem)
        .hasMessageContaining("BEGIN CERTIFICATE");
  }

  @Test
  void build_noTrustedCertificate_emptyByDefault() {
    AgentConfig config =
        AgentConfig.builder()
            .server(URI.create("https://127.0.0.1:1"))
            .stateDir(Path.of("s"))
            .build();

    assertThat(config.trustedCertificate()).isEmpty();
  }

  @Test
  void build_missingStateDir_rejected() {
    AgentConfig.Builder builder = AgentConfig.builder().server(URI.create("http://127.0.0.1:1"));

    assertThatThrownBy(builder::build).hasMessage("stateDir is required");
  }

  @Test
  void toString_activation_hidesCode() {
    AgentConfig config =
        AgentConfig.builder()
            .server(URI.create("http://127.0.0.1:1"))
            .stateDir(Path.of("s"))
            .activation("act-1", "code-secret")
            .build();

    assertThat(config.toString()).contains("act-1").doesNotContain("code-secret");
  }

  @Test
  void defaultWorkingDirectory_windows_systemRootSystem32() {
    Path directory =
        AgentConfig.defaultWorkingDirectory(
            OsType.Windows, Map.of("SystemRoot", "D:\\Win"), "C:\\Users\\svc");

    assertThat(directory.toString()).isEqualTo("D:\\Win\\System32");
  }

  @Test
  void defaultWorkingDirectory_windowsWithoutSystemRoot_cWindowsSystem32() {
    Path directory = AgentConfig.defaultWorkingDirectory(OsType.Windows, Map.of(), "C:\\Users\\a");

    assertThat(directory.toString()).isEqualTo("C:\\Windows\\System32");
  }

  @Test
  void defaultWorkingDirectory_linux_home() {
    Path directory =
        AgentConfig.defaultWorkingDirectory(OsType.Linux, Map.of("SystemRoot", "x"), "/home/a");

    assertThat(directory).isEqualTo(Path.of("/home/a"));
  }
}
