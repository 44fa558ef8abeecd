package io.deskrun.agent;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Starts that fail before any call to a server. The agent against a real server is tested in
 * deskrun-server ({@code io.deskrun.server.faults}) and as processes in deskrun-cli.
 */
class AgentStartTest {
  @TempDir Path stateDir;

  @Test
  void start_noIdentityNoActivation_agentExceptionNamingTheNeed() {
    AgentConfig config =
        AgentConfig.builder().server(URI.create("http://127.0.0.1:9")).stateDir(stateDir).build();

    assertThatThrownBy(() -> Agent.start(config))
        .isInstanceOf(AgentException.class)
        .hasMessageContaining("activation id and code");
  }
}
