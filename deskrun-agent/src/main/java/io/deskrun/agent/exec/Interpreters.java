package io.deskrun.agent.exec;

import io.deskrun.protocol.OsType;
import io.deskrun.protocol.ScriptType;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The interpreter command for each script type this machine can run: the configured ones first,
 * then the operating system's defaults that are actually installed.
 */
public final class Interpreters {
  private final OsType os;
  private final Map<ScriptType, List<String>> commands;

  private Interpreters(OsType os, Map<ScriptType, List<String>> commands) {
    this.os = os;
    this.commands = commands;
  }

  /**
   * Resolves the interpreters for {@code os}, looking up defaults on {@code path} (the {@code PATH}
   * variable's value, may be null).
   */
  public static Interpreters resolve(
      OsType os, Map<ScriptType, List<String>> configured, String path) {
    Map<ScriptType, List<String>> commands = new EnumMap<>(ScriptType.class);
    defaults(os, path).forEach(commands::put);
    configured.forEach((type, command) -> commands.put(type, List.copyOf(command)));
    return new Interpreters(os, commands);
  }

  /** Returns the script types that have an interpreter, in the enum's order. */
  public List<ScriptType> supportedTypes() {
    return List.copyOf(commands.keySet());
  }

  /** Returns the launcher for {@code type}, or empty when this machine cannot run it. */
  public Optional<Launcher> launcher(ScriptType type) {
    List<String> command = commands.get(type);
    if (command == null) {
      return Optional.empty();
    }
    return Optional.of(
        switch (type) {
          case RunShellScript -> new ShellLauncher(command);
          case RunPowerShellScript -> new PowerShellLauncher(command, os == OsType.Windows);
          case RunBatScript -> new BatchLauncher(command);
        });
  }

  private static Map<ScriptType, List<String>> defaults(OsType os, String path) {
    Map<ScriptType, List<String>> defaults = new EnumMap<>(ScriptType.class);
    if (os == OsType.Windows) {
      defaults.put(ScriptType.RunBatScript, List.of("cmd.exe", "/d", "/c"));
      defaults.put(ScriptType.RunPowerShellScript, List.of("powershell.exe"));
      return defaults;
    }
    Path bash = Path.of("/bin/bash");
    defaults.put(
        ScriptType.RunShellScript, List.of(Files.isExecutable(bash) ? bash.toString() : "/bin/sh"));
    findOnPath("pwsh", path)
        .ifPresent(pwsh -> defaults.put(ScriptType.RunPowerShellScript, List.of(pwsh.toString())));
    return defaults;
  }

  static Optional<Path> findOnPath(String name, String path) {
    if (path == null || path.isEmpty()) {
      return Optional.empty();
    }
    List<Path> candidates = new ArrayList<>();
    for (String entry : path.split(File.pathSeparator)) {
      if (!entry.isEmpty()) {
        candidates.add(Path.of(entry, name));
      }
    }
    return candidates.stream().filter(Files::isExecutable).findFirst();
  }
}
