package io.deskrun.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

class InvocationFormatterTest {
  private static final String FINISHED =
      """
      {"InvokeId":"t-1","InvocationStatus":"PartialFailed","CommandType":"RunShellScript",
       "CreationTime":"2026-12-04T19:19:36Z","InvokeDesktopCount":2,"InvokeDesktopSucceedCount":1,
       "InvokeDesktops":[
        {"DesktopId":"ecd-a","DesktopName":"lab-1","InvocationStatus":"Success","ExitCode":0,
         "Output":"hello from lab-1\\n¡hola! 你好\\n","Dropped":0},
        {"DesktopId":"ecd-b","InvocationStatus":"Failed","ExitCode":3,"Output":"no such file",
         "Dropped":1200,"ErrorCode":"ExitCodeNonzero","ErrorInfo":"The script exited with code 3."}]}
      """;

  static Invocation invocation(String json) throws IOException {
    return Invocation.fromJson(new ObjectMapper().readTree(json));
  }

  @Test
  void details_finished_showsEveryDesktop() throws IOException {
    String text = InvocationFormatter.details(invocation(FINISHED));

    assertThat(text)
        .isEqualTo(
            """
            Invocation t-1: PartialFailed, 1 of 2 desktops succeeded

            == ecd-a (lab-1): Success, exit code 0
            hello from lab-1
            ¡hola! 你好

            == ecd-b: Failed, exit code 3 [ExitCodeNonzero: The script exited with code 3.]
            (first 1200 bytes of output dropped)
            no such file
            """);
  }

  @Test
  void details_targetNeverRan_omitsExitCode() throws IOException {
    String json =
        """
        {"InvokeId":"t-2","InvocationStatus":"Failed","InvokeDesktopCount":1,
         "InvokeDesktopSucceedCount":0,"InvokeDesktops":[
          {"DesktopId":"ecd-c","InvocationStatus":"Aborted","ErrorCode":"ClientNotRunning"}]}
        """;

    String text = InvocationFormatter.details(invocation(json));

    assertThat(text).contains("== ecd-c: Aborted [ClientNotRunning]\n").doesNotContain("exit code");
    assertThat(text).startsWith("Invocation t-2: Failed, 0 of 1 desktop succeeded\n");
  }

  @Test
  void progress_someRunning_countsFinalTargets() throws IOException {
    String json =
        """
        {"InvokeId":"t-3","InvocationStatus":"Running","InvokeDesktops":[
          {"DesktopId":"a","InvocationStatus":"Success"},
          {"DesktopId":"b","InvocationStatus":"Running"},
          {"DesktopId":"c","InvocationStatus":"Pending"},
          {"DesktopId":"d","InvocationStatus":"Stopping"},
          {"DesktopId":"e","InvocationStatus":"Timeout"}]}
        """;

    Invocation invocation = invocation(json);

    assertThat(InvocationFormatter.progress(invocation)).isEqualTo("2/5 finished");
    assertThat(invocation.isFinished()).isFalse();
  }

  @Test
  void isFinished_unknownStatus_countsAsRunning() throws IOException {
    Invocation invocation =
        invocation("{\"InvokeDesktops\":[{\"DesktopId\":\"a\",\"InvocationStatus\":\"Queued\"}]}");

    assertThat(invocation.isFinished()).isFalse();
  }

  @Test
  void allSucceeded_oneFailed_false() throws IOException {
    Invocation invocation = invocation(FINISHED);

    assertThat(invocation.isFinished()).isTrue();
    assertThat(invocation.allSucceeded()).isFalse();
  }

  @Test
  void table_invocations_alignedColumns() throws IOException {
    String second =
        """
        {"InvokeId":"t-abcdefghijklmnopqrstuvwx","InvocationStatus":"Success",
         "CommandType":"RunPowerShellScript","CreationTime":"2026-12-04T19:20:00Z",
         "InvokeDesktopCount":1,"InvokeDesktopSucceedCount":1,"InvokeDesktops":[]}
        """;

    String table = InvocationFormatter.table(List.of(invocation(FINISHED), invocation(second)));

    assertThat(table)
        .isEqualTo(
            """
            INVOKE ID                   STATUS         TYPE                 CREATED               SUCCEEDED
            t-1                         PartialFailed  RunShellScript       2026-12-04T19:19:36Z  1/2
            t-abcdefghijklmnopqrstuvwx  Success        RunPowerShellScript  2026-12-04T19:20:00Z  1/1
            """);
  }

  @Test
  void desktopsTable_noDesktops_explainsHowToEnroll() throws IOException {
    String text = DesktopsCommand.table(new ObjectMapper().readTree("[]"), " --data-dir 'my data'");

    assertThat(text).contains("`deskrun activation create --data-dir 'my data'`");
  }

  @Test
  void desktopsTable_desktops_oneRowEach() throws IOException {
    String json =
        """
        [{"DesktopId":"ecd-a","DesktopName":"lab-1","OsType":"Linux","Hostname":"h1",
          "AgentStatus":"Online","LastHeartbeatTime":"2026-12-04T19:19:36Z"}]
        """;

    String text = DesktopsCommand.table(new ObjectMapper().readTree(json), "");

    assertThat(text.lines().toList())
        .containsExactly(
            "DESKTOP ID  NAME   OS     HOSTNAME  AGENT   LAST HEARTBEAT",
            "ecd-a       lab-1  Linux  h1        Online  2026-12-04T19:19:36Z");
  }
}
