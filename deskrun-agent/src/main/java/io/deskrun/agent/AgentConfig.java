package io.deskrun.agent;

/**
 * Agent settings, built with {@link #builder()}: server URI, state dir, optional activation id,
 * code and region for the first start, concurrent run limit, interpreter command per script type,
 * working directory.
 */
public final class AgentConfig {
  private AgentConfig() {}

  public static Builder builder() {
    throw new UnsupportedOperationException("contract stub");
  }

  /** Builder of {@link AgentConfig}. */
  public static final class Builder {
    private Builder() {}

    public Builder server(java.net.URI server) {
      throw new UnsupportedOperationException("contract stub: " + server);
    }

    public Builder stateDir(java.nio.file.Path stateDir) {
      throw new UnsupportedOperationException("contract stub: " + stateDir);
    }

    public Builder activation(String activationId, String activationCode) {
      throw new UnsupportedOperationException("contract stub: " + activationId + activationCode);
    }

    public Builder regionId(String regionId) {
      throw new UnsupportedOperationException("contract stub: " + regionId);
    }

    public Builder maxConcurrentRuns(int maxConcurrentRuns) {
      throw new UnsupportedOperationException("contract stub: " + maxConcurrentRuns);
    }

    public Builder interpreter(
        io.deskrun.protocol.ScriptType type, java.util.List<String> command) {
      throw new UnsupportedOperationException("contract stub: " + type + command);
    }

    public Builder workingDirectory(java.nio.file.Path directory) {
      throw new UnsupportedOperationException("contract stub: " + directory);
    }

    public AgentConfig build() {
      throw new UnsupportedOperationException("contract stub");
    }
  }
}
