package io.deskrun.agent.exec;

import static org.assertj.core.api.Assertions.assertThat;

import io.deskrun.protocol.OsType;
import io.deskrun.protocol.ScriptType;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Cases X01 to X08 as a Windows agent would launch them: the exact file bytes and command lines
 * from the default Windows interpreters. Ready to run for real on a Windows host; here the batch
 * cases also run under Wine in the server's tests.
 */
class WindowsCaseFilesTest {
  private static final Path DIR = Path.of("C:\\ProgramData\\deskrun\\scripts");
  private static final byte[] BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
  private static final Interpreters WINDOWS = Interpreters.resolve(OsType.Windows, Map.of(), null);

  private static LaunchPlan plan(ScriptType type, String content) {
    return WINDOWS.launcher(type).orElseThrow().plan(content, DIR, "run-t-x");
  }

  private static String text(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }

  @Test
  void x01_batchWithChinese_utf8AfterCodePageSwitch() {
    LaunchPlan plan =
        plan(ScriptType.RunBatScript, "@echo off\r\necho 中文测试\r\ndir C:\\no_such_dir_x01\r\n");

    byte[] bytes = plan.files().getFirst().bytes();
    assertThat(text(bytes))
        .isEqualTo(
            "@chcp 65001>nul 2>nul & (call )\r\n@echo off\r\necho 中文测试\r\ndir C:\\no_such_dir_x01\r\n");
    assertThat(Arrays.copyOf(bytes, 3)).isNotEqualTo(BOM);
    assertThat(plan.command())
        .containsExactly("cmd.exe", "/d", "/c", DIR.resolve("run-t-x.bat").toString());
  }

  @Test
  void x01_oemOutputOfZhCnHost_decodedByCodePage936() {
    OutputTail tail = new OutputTail(1000, WindowsCodePages.charset(936).orElseThrow());
    byte[] utf8 = "中文测试\r\n".getBytes(StandardCharsets.UTF_8);
    byte[] oem = "找不到文件\r\n".getBytes(Charset.forName("GBK"));

    tail.append(utf8, 0, utf8.length);
    tail.append(oem, 0, oem.length);

    assertThat(tail.snapshot().text()).isEqualTo("中文测试\r\n找不到文件\r\n");
  }

  @Test
  void x01_powerShellCharFromCode_bomFileAndUtf8Output() {
    LaunchPlan plan =
        plan(ScriptType.RunPowerShellScript, "Write-Output ([string][char]0x4E2D + [char]0x6587)");

    assertThat(Arrays.copyOf(plan.files().getFirst().bytes(), 3)).isEqualTo(BOM);
    assertThat(text(plan.files().get(1).bytes()))
        .contains("[Console]::OutputEncoding = $global:OutputEncoding");
  }

  @Test
  void x02_powerShellNonAsciiLiteral_fileStartsWithBom() {
    String script = "$s = 'Grüße\u2013中'\nWrite-Output $s.Length\n";

    LaunchPlan plan = plan(ScriptType.RunPowerShellScript, script);

    byte[] bytes = plan.files().getFirst().bytes();
    assertThat(Arrays.copyOf(bytes, 3)).isEqualTo(BOM);
    assertThat(Arrays.copyOfRange(bytes, 3, bytes.length))
        .isEqualTo(script.getBytes(StandardCharsets.UTF_8));
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
            DIR.resolve("run-t-x-run.ps1").toString());
  }

  @Test
  void x05_batchExitFromNestedBlocks_nothingAddedAfterUserLines() {
    String script =
        "@echo off\r\nif 1==1 (\r\n  if 2==2 (\r\n    exit /b 3\r\n  )\r\n  echo unreachable\r\n)\r\n";

    String file = text(plan(ScriptType.RunBatScript, script).files().getFirst().bytes());

    assertThat(file).endsWith(script);
    assertThat(file.lines()).hasSize((int) script.lines().count() + 1);
  }

  @Test
  void x06_powerShellExitCodes_wrapperKeepsExitAndLastExitCode() {
    LaunchPlan plan = plan(ScriptType.RunPowerShellScript, "cmd /c exit 7\n");

    String wrapper =
        text(
            Arrays.copyOfRange(plan.files().get(1).bytes(), 3, plan.files().get(1).bytes().length));
    assertThat(wrapper)
        .contains("& '" + DIR.resolve("run-t-x.ps1") + "'")
        .contains("$global:LASTEXITCODE = 0")
        .contains("} catch {")
        .endsWith("exit $global:LASTEXITCODE\n");
  }

  @Test
  void x07_lfOnlyBatchWithLabels_everyLineCrlf() {
    String script =
        "@echo off\ngoto :later\n"
            + "rem 0123456789012345678901234567890123456789012345678901234567890123456789\n"
                .repeat(12)
            + ":later\necho reached\ncall :sub\necho back\nexit /b 0\n:sub\necho in-sub\nexit /b 0\n";

    String file = text(plan(ScriptType.RunBatScript, script).files().getFirst().bytes());

    assertThat(file.replace("\r\n", "")).doesNotContain("\n").doesNotContain("\r");
    assertThat(file.split("\r\n", -1)).hasSize(script.split("\n", -1).length + 1);
  }

  @Test
  void x08_powerShellQuotesAndBlocks_neverOnCommandLine() {
    String script =
        "Write-Output \"a  b\"\nWrite-Output 'c\"d'\ntry {\n  throw 'boom'\n}\ncatch {\n"
            + "  Write-Output \"caught $($_.Exception.Message)\"\n}\n";

    LaunchPlan plan = plan(ScriptType.RunPowerShellScript, script);

    assertThat(plan.command()).noneMatch(word -> word.contains("Write-Output"));
    byte[] bytes = plan.files().getFirst().bytes();
    assertThat(text(Arrays.copyOfRange(bytes, 3, bytes.length))).isEqualTo(script);
  }

  @Test
  void interpreters_windows_batchAndPowerShellWithoutSession() {
    assertThat(ProcessTree.sessionPrefix(true)).isEmpty();
    assertThat(WINDOWS.supportedTypes())
        .containsExactlyInAnyOrder(ScriptType.RunBatScript, ScriptType.RunPowerShellScript);
  }
}
