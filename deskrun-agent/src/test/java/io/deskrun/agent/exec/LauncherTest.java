package io.deskrun.agent.exec;

import static org.assertj.core.api.Assertions.assertThat;

import io.deskrun.protocol.OsType;
import io.deskrun.protocol.ScriptType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LauncherTest {
  private static final Path DIR = Path.of("/state/scripts");
  private static final byte[] BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};

  @Test
  void powerShellPlan_windows_bomAndFlags() {
    PowerShellLauncher launcher = new PowerShellLauncher(List.of("powershell.exe"), true);
    String script = "$s = 'Grüße–中'\nWrite-Output $s.Length\n"; // X02

    LaunchPlan plan = launcher.plan(script, DIR, "run-t-1");

    assertThat(plan.command())
        .containsExactly(
            "powershell.exe",
            "-NoLogo",
            "-NoProfile",
            "-NonInteractive",
            "-InputFormat",
            "None",
            "-ExecutionPolicy",
            "Bypass",
            "-File",
            DIR.resolve("run-t-1-run.ps1").toString());
    LaunchPlan.ScriptFile user = plan.files().get(0);
    assertThat(user.path()).isEqualTo(DIR.resolve("run-t-1.ps1"));
    assertThat(user.bytes()).isEqualTo(concat(BOM, script.getBytes(StandardCharsets.UTF_8)));
    LaunchPlan.ScriptFile wrapper = plan.files().get(1);
    assertThat(Arrays.copyOf(wrapper.bytes(), 3)).isEqualTo(BOM);
  }

  @Test
  void powerShellWrapper_userFile_exitCodesKept() {
    String wrapper = PowerShellLauncher.wrapperText(Path.of("/state/it's/run-t-1.ps1"));

    assertThat(wrapper).contains("& '/state/it''s/run-t-1.ps1'");
    assertThat(wrapper).contains("$global:LASTEXITCODE = 0");
    assertThat(wrapper).contains("exit 1");
    assertThat(wrapper).endsWith("exit $global:LASTEXITCODE\n");
    assertThat(wrapper).contains("[Console]::OutputEncoding");
  }

  @Test
  void powerShellPlan_userText_fileUnchanged() {
    PowerShellLauncher launcher = new PowerShellLauncher(List.of("/usr/bin/pwsh"), false);
    List<String> scripts =
        List.of(
            "cmd /c exit 7\n", // X06 (a)
            "exit 300\n", // X06 (b)
            "throw 'boom'\n", // X06 (c)
            "Write-Output \"a  b\"\nWrite-Output 'c\"d'\ntry {\n  throw 'boom'\n}\ncatch {\n"
                + "  Write-Output \"caught $($_.Exception.Message)\"\n}\n"); // X08

    for (String script : scripts) {
      LaunchPlan plan = launcher.plan(script, DIR, "run-t-2");

      assertThat(plan.files().get(0).bytes()).isEqualTo(script.getBytes(StandardCharsets.UTF_8));
      assertThat(String.join(" ", plan.command())).doesNotContain(script.strip());
      assertThat(plan.command().getLast()).isEqualTo(DIR.resolve("run-t-2-run.ps1").toString());
    }
  }

  @Test
  void batchPlan_nestedExit_crlfAndCodePage() {
    BatchLauncher launcher = new BatchLauncher(List.of("cmd.exe", "/d", "/c"));
    String script =
        "@echo off\r\nif 1==1 (\r\n  if 2==2 (\r\n    exit /b 3\r\n  )\r\n  echo unreachable\r\n)\r\n"; // X05

    LaunchPlan plan = launcher.plan(script, DIR, "run-t-3");

    assertThat(plan.command())
        .containsExactly("cmd.exe", "/d", "/c", DIR.resolve("run-t-3.bat").toString());
    String expected = "@chcp 65001>nul 2>nul & (call )\r\n" + script;
    assertThat(plan.files().getFirst().bytes())
        .isEqualTo(expected.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void batchPlan_lfNonAscii_crlfWithoutBom() {
    BatchLauncher launcher = new BatchLauncher(List.of("wine", "cmd", "/c"));

    LaunchPlan plan = launcher.plan("@echo off\necho 中文测试\n:later\rexit /b 0", DIR, "run-t-4");

    byte[] expected =
        "@chcp 65001>nul 2>nul & (call )\r\n@echo off\r\necho 中文测试\r\n:later\r\nexit /b 0"
            .getBytes(StandardCharsets.UTF_8);
    assertThat(plan.files().getFirst().bytes()).isEqualTo(expected);
    assertThat(plan.command()).startsWith("wine", "cmd", "/c");
  }

  @Test
  void batchPlan_lfOnlyLabels_everyLineEndsWithCrlf() {
    String script =
        "@echo off\ngoto :later\n"
            + "rem 0123456789012345678901234567890123456789012345678901234567890123456789\n"
                .repeat(12)
            + ":later\necho reached\ncall :sub\necho back\nexit /b 0\n:sub\necho in-sub\n"
            + "exit /b 0\n"; // X07 batch part

    byte[] bytes =
        new BatchLauncher(List.of("cmd.exe", "/d", "/c"))
            .plan(script, DIR, "r")
            .files()
            .getFirst()
            .bytes();

    String text = new String(bytes, StandardCharsets.US_ASCII);
    assertThat(text)
        .isEqualTo("@chcp 65001>nul 2>nul & (call )\r\n" + script.replace("\n", "\r\n"));
    assertThat(text.replace("\r\n", "")).doesNotContain("\n").doesNotContain("\r");
  }

  @Test
  void shellPlan_crlf_convertedToLf() {
    ShellLauncher launcher = new ShellLauncher(List.of("/bin/bash"));

    LaunchPlan plan = launcher.plan("x=1\r\nif [ \"$x\" = 1 ]; then echo ok; fi\r\n", DIR, "r");

    assertThat(new String(plan.files().getFirst().bytes(), StandardCharsets.UTF_8))
        .isEqualTo("x=1\nif [ \"$x\" = 1 ]; then echo ok; fi\n");
    assertThat(plan.command()).containsExactly("/bin/bash", DIR.resolve("r.sh").toString());
  }

  @Test
  void shellPlan_shebang_interpreterAndOneArgument() {
    ShellLauncher launcher = new ShellLauncher(List.of("/bin/bash"));

    LaunchPlan plan = launcher.plan("#!/usr/bin/env  python3 -u\r\nprint(1)\n", DIR, "r");

    assertThat(plan.command())
        .containsExactly("/usr/bin/env", "python3 -u", DIR.resolve("r.sh").toString());
  }

  @Test
  void interpreters_linuxWithoutPwsh_shellOnly() {
    Interpreters interpreters = Interpreters.resolve(OsType.Linux, Map.of(), "/nonexistent");

    assertThat(interpreters.supportedTypes()).containsExactly(ScriptType.RunShellScript);
    assertThat(interpreters.launcher(ScriptType.RunPowerShellScript)).isEmpty();
  }

  @Test
  void interpreters_configuredTypes_advertised() {
    Interpreters interpreters =
        Interpreters.resolve(
            OsType.Linux,
            Map.of(
                ScriptType.RunPowerShellScript, List.of("/opt/pwsh"),
                ScriptType.RunBatScript, List.of("wine", "cmd", "/c")),
            null);

    assertThat(interpreters.supportedTypes())
        .containsExactly(
            ScriptType.RunBatScript, ScriptType.RunPowerShellScript, ScriptType.RunShellScript);
  }

  @Test
  void interpreters_windows_batchAndPowerShell() {
    Interpreters interpreters = Interpreters.resolve(OsType.Windows, Map.of(), null);

    assertThat(interpreters.supportedTypes())
        .containsExactly(ScriptType.RunBatScript, ScriptType.RunPowerShellScript);
    LaunchPlan plan =
        interpreters.launcher(ScriptType.RunPowerShellScript).orElseThrow().plan("x", DIR, "r");
    assertThat(Arrays.copyOf(plan.files().getFirst().bytes(), 3)).isEqualTo(BOM);
  }

  private static byte[] concat(byte[] first, byte[] second) {
    byte[] joined = Arrays.copyOf(first, first.length + second.length);
    System.arraycopy(second, 0, joined, first.length, second.length);
    return joined;
  }
}
