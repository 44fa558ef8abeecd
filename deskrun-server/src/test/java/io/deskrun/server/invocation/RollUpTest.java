package io.deskrun.server.invocation;

import static io.deskrun.protocol.TargetStatus.Aborted;
import static io.deskrun.protocol.TargetStatus.Cancelled;
import static io.deskrun.protocol.TargetStatus.Error;
import static io.deskrun.protocol.TargetStatus.Failed;
import static io.deskrun.protocol.TargetStatus.Invalid;
import static io.deskrun.protocol.TargetStatus.Pending;
import static io.deskrun.protocol.TargetStatus.Running;
import static io.deskrun.protocol.TargetStatus.Stopping;
import static io.deskrun.protocol.TargetStatus.Success;
import static io.deskrun.protocol.TargetStatus.Terminated;
import static io.deskrun.protocol.TargetStatus.Timeout;
import static org.assertj.core.api.Assertions.assertThat;

import io.deskrun.protocol.TargetStatus;
import java.util.List;
import org.junit.jupiter.api.Test;

class RollUpTest {
  private record Row(List<TargetStatus> targets, String overall) {}

  @Test
  void overall_table_matchesRules() {
    List<Row> table =
        List.of(
            new Row(List.of(Pending), "Pending"),
            new Row(List.of(Pending, Running, Stopping, Success), "Pending"),
            new Row(List.of(Running, Stopping, Failed), "Running"),
            new Row(List.of(Stopping, Success, Cancelled), "Stopping"),
            new Row(List.of(Success), "Success"),
            new Row(List.of(Success, Success), "Success"),
            new Row(List.of(Success, Cancelled), "Success"),
            new Row(List.of(Success, Terminated), "Success"),
            new Row(List.of(Failed), "Failed"),
            new Row(List.of(Invalid, Aborted, Error, Timeout), "Failed"),
            new Row(List.of(Failed, Terminated), "Failed"),
            new Row(List.of(Success, Invalid), "PartialFailed"),
            new Row(List.of(Success, Timeout, Cancelled), "PartialFailed"),
            new Row(List.of(Cancelled), "Stopped"),
            new Row(List.of(Cancelled, Terminated), "Stopped"));

    for (Row row : table) {
      assertThat(RollUp.overall(row.targets())).as("%s", row.targets()).isEqualTo(row.overall());
    }
  }

  @Test
  void overall_everyFailedStatusAlone_failed() {
    for (TargetStatus status : List.of(Invalid, Aborted, Failed, Error, Timeout)) {
      assertThat(RollUp.overall(List.of(status))).as("%s", status).isEqualTo("Failed");
    }
  }
}
