package io.deskrun.agent.enroll;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.deskrun.agent.state.StateFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Reads and writes {@code identity.json} in the state dir: owner-only (0600), written atomically.
 */
public final class IdentityStore {
  static final String FILE_NAME = "identity.json";

  private final Path file;
  private final ObjectMapper json =
      new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  public IdentityStore(Path stateDir) {
    this.file = stateDir.resolve(FILE_NAME);
  }

  /** Returns the stored identity, or empty when this agent has not enrolled yet. */
  public Optional<Identity> load() throws IOException {
    if (!Files.exists(file)) {
      return Optional.empty();
    }
    Identity identity = json.readValue(file.toFile(), Identity.class);
    if (isBlank(identity.desktopId()) || isBlank(identity.agentToken())) {
      throw new IOException(file + " must contain a desktopId and an agentToken");
    }
    return Optional.of(identity);
  }

  /** Stores {@code identity}, replacing any earlier one. */
  public void save(Identity identity) throws IOException {
    StateFiles.createPrivateDirectory(file.toAbsolutePath().getParent());
    StateFiles.writeAtomically(file, json.writeValueAsBytes(identity));
  }

  public Path file() {
    return file;
  }

  private static boolean isBlank(String value) {
    return value == null || value.isBlank();
  }
}
