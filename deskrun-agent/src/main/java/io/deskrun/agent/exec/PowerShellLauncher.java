package io.deskrun.agent.exec;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs {@code RunPowerShellScript} with {@code powershell.exe} on Windows or {@code pwsh}
 * elsewhere.
 *
 * <p>The user's script is written unchanged to its own {@code .ps1} file, so error messages point
 * at the user's own line numbers. A second, generated wrapper file is the one given to {@code
 * -File}. The wrapper sets UTF-8 output encoding (ignoring a failure, as when no console is
 * attached), clears {@code $LASTEXITCODE}, calls the user's file with {@code &} inside {@code try},
 * and exits with:
 *
 * <ul>
 *   <li>N when the script calls {@code exit N}, because {@code exit} in a called script ends only
 *       that script and sets {@code $LASTEXITCODE} in the caller;
 *   <li>otherwise the {@code $LASTEXITCODE} of the last native command, 0 if none ran;
 *   <li>1 after an uncaught terminating error, whose message is written to the error stream.
 * </ul>
 *
 * <p>On Windows both files are UTF-8 with a BOM, because Windows PowerShell 5.1 reads a file
 * without one in the ANSI code page.
 */
public final class PowerShellLauncher implements Launcher {
  static final List<String> FLAGS =
      List.of(
          "-NoLogo",
          "-NoProfile",
          "-NonInteractive",
          "-InputFormat",
          "None",
          "-ExecutionPolicy",
          "Bypass",
          "-File");

  private static final byte[] BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};

  private final List<String> interpreter;
  private final boolean withBom;

  /**
   * Creates a launcher.
   *
   * @param interpreter the PowerShell executable, such as {@code [powershell.exe]} or {@code
   *     [/usr/bin/pwsh]}; the standard flags are added after it
   * @param withBom whether the files start with a UTF-8 BOM (needed on Windows)
   */
  public PowerShellLauncher(List<String> interpreter, boolean withBom) {
    if (interpreter.isEmpty()) {
      throw new IllegalArgumentException("PowerShell interpreter command must not be empty");
    }
    this.interpreter = List.copyOf(interpreter);
    this.withBom = withBom;
  }

  @Override
  public LaunchPlan plan(String content, Path directory, String baseName) {
    Path script = directory.resolve(baseName + ".ps1");
    Path wrapper = directory.resolve(baseName + "-run.ps1");

    List<LaunchPlan.ScriptFile> files =
        List.of(
            new LaunchPlan.ScriptFile(script, encode(content)),
            new LaunchPlan.ScriptFile(wrapper, encode(wrapperText(script))));

    List<String> command = new ArrayList<>(interpreter);
    command.addAll(FLAGS);
    command.add(wrapper.toString());
    return new LaunchPlan(files, command);
  }

  static String wrapperText(Path script) {
    String literal = "'" + script.toString().replace("'", "''") + "'";
    return String.join(
        "\n",
        "try {",
        "  $global:OutputEncoding = [System.Text.UTF8Encoding]::new($false)",
        "  [Console]::OutputEncoding = $global:OutputEncoding",
        "} catch {}",
        "$global:LASTEXITCODE = 0",
        "try {",
        "  & " + literal,
        "} catch {",
        "  [Console]::Error.WriteLine(($_ | Out-String))",
        "  exit 1",
        "}",
        "exit $global:LASTEXITCODE",
        "");
  }

  private byte[] encode(String text) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    if (withBom) {
      bytes.writeBytes(BOM);
    }
    bytes.writeBytes(text.getBytes(StandardCharsets.UTF_8));
    return bytes.toByteArray();
  }
}
