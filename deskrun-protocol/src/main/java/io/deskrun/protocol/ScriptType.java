package io.deskrun.protocol;

import java.util.Optional;

/** The script types of the RunCommand {@code Type} parameter, by their API names. */
public enum ScriptType {
  RunBatScript,
  RunPowerShellScript,
  RunShellScript;

  /** Finds the type with exactly this API name (case-sensitive, as upstream matches it). */
  public static Optional<ScriptType> fromApiName(String name) {
    for (ScriptType type : values()) {
      if (type.name().equals(name)) {
        return Optional.of(type);
      }
    }
    return Optional.empty();
  }
}
