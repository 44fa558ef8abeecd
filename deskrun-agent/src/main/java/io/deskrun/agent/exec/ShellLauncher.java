package io.deskrun.agent.exec;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs {@code RunShellScript} on Linux and macOS.
 *
 * <p>The file gets LF line endings, because a CR left at a line end becomes part of the last word.
 * A {@code #!} first line picks the interpreter the way the kernel does: the path, plus everything
 * after it as one optional argument. Without one, the configured interpreter runs the file, by
 * default {@code /bin/bash} when it exists and {@code /bin/sh} otherwise.
 */
public final class ShellLauncher implements Launcher {
  private final List<String> defaultInterpreter;

  /** Creates a launcher whose scripts without {@code #!} run with {@code defaultInterpreter}. */
  public ShellLauncher(List<String> defaultInterpreter) {
    if (defaultInterpreter.isEmpty()) {
      throw new IllegalArgumentException("shell interpreter command must not be empty");
    }
    this.defaultInterpreter = List.copyOf(defaultInterpreter);
  }

  @Override
  public LaunchPlan plan(String content, Path directory, String baseName) {
    String script = LineEndings.toLf(content);
    Path file = directory.resolve(baseName + ".sh");
    List<String> command = new ArrayList<>(interpreterFor(script));
    command.add(file.toString());
    byte[] bytes = script.getBytes(StandardCharsets.UTF_8);
    return new LaunchPlan(List.of(new LaunchPlan.ScriptFile(file, bytes)), command);
  }

  private List<String> interpreterFor(String script) {
    if (!script.startsWith("#!")) {
      return defaultInterpreter;
    }
    int end = script.indexOf('\n');
    String line = (end < 0 ? script.substring(2) : script.substring(2, end)).strip();
    if (line.isEmpty()) {
      return defaultInterpreter;
    }
    int space = indexOfBlank(line);
    if (space < 0) {
      return List.of(line);
    }
    return List.of(line.substring(0, space), line.substring(space).strip());
  }

  private static int indexOfBlank(String line) {
    for (int i = 0; i < line.length(); i++) {
      if (line.charAt(i) == ' ' || line.charAt(i) == '\t') {
        return i;
      }
    }
    return -1;
  }
}
