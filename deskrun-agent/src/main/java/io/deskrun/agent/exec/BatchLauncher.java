package io.deskrun.agent.exec;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs {@code RunBatScript} with {@code cmd.exe /d /c <file>} or a configured compatible command.
 *
 * <p>The file gets CRLF line endings because cmd.exe finds labels by byte offsets and misreads
 * LF-only files. Its first line switches the console code page to UTF-8 (65001) and then resets the
 * error level with {@code (call )}, so a failed switch (no console, as under Wine) does not become
 * the script's exit code. cmd.exe reads a batch file again line by line as it runs, so every later
 * line is decoded as UTF-8. The file is UTF-8 without a BOM, because cmd.exe would treat a BOM as
 * part of the first command. No line is added at the end, so the exit code of {@code exit /b N}
 * stays the exit code of the process.
 */
public final class BatchLauncher implements Launcher {
  static final String PROLOGUE = "@chcp 65001>nul 2>nul & (call )\r\n";

  private final List<String> interpreter;

  /**
   * Creates a launcher running files with {@code interpreter}, such as {@code [cmd.exe, /d, /c]}.
   */
  public BatchLauncher(List<String> interpreter) {
    if (interpreter.isEmpty()) {
      throw new IllegalArgumentException("batch interpreter command must not be empty");
    }
    this.interpreter = List.copyOf(interpreter);
  }

  @Override
  public LaunchPlan plan(String content, Path directory, String baseName) {
    Path file = directory.resolve(baseName + ".bat");
    String script = PROLOGUE + LineEndings.toCrlf(content);
    byte[] bytes = script.getBytes(StandardCharsets.UTF_8);
    List<String> command = new ArrayList<>(interpreter);
    command.add(file.toString());
    return new LaunchPlan(List.of(new LaunchPlan.ScriptFile(file, bytes)), command);
  }
}
