package io.deskrun.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class InvocationWaiterTest {

  /** A clock that only moves when the waiter pauses. */
  static final class ManualClock extends Clock {
    private Instant now = Instant.parse("2026-12-04T19:00:00Z");

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }

    void advance(Duration duration) {
      now = now.plus(duration);
    }
  }

  private final ManualClock clock = new ManualClock();
  private final List<String> progress = new ArrayList<>();

  private static String targets(String... statuses) {
    StringBuilder json = new StringBuilder("{\"InvokeId\":\"t-1\",\"InvokeDesktops\":[");
    for (int i = 0; i < statuses.length; i++) {
      json.append(i == 0 ? "" : ",")
          .append("{\"DesktopId\":\"ecd-")
          .append(i)
          .append("\",\"InvocationStatus\":\"")
          .append(statuses[i])
          .append("\"}");
    }
    return json.append("]}").toString();
  }

  private InvocationWaiter waiterSeeing(String... responses) throws IOException {
    List<Invocation> invocations = new ArrayList<>();
    for (String response : responses) {
      invocations.add(InvocationFormatterTest.invocation(response));
    }
    Iterator<Invocation> next = invocations.iterator();
    Invocation[] last = new Invocation[1];
    return new InvocationWaiter(
        invokeId -> {
          if (next.hasNext()) {
            last[0] = next.next();
          }
          return Optional.of(last[0]);
        },
        clock,
        clock::advance);
  }

  @Test
  void await_gradualFinish_reportsChanges() throws Exception {
    InvocationWaiter waiter =
        waiterSeeing(
            targets("Pending", "Pending", "Pending"),
            targets("Running", "Running", "Pending"),
            targets("Success", "Running", "Pending"),
            targets("Success", "Running", "Running"),
            targets("Success", "Failed", "Success"));

    InvocationWaiter.Outcome outcome = waiter.await("t-1", Duration.ofMinutes(5), progress::add);

    assertThat(outcome.finished()).isTrue();
    assertThat(progress).containsExactly("0/3 finished", "1/3 finished", "3/3 finished");
    assertThat(RunScriptCommand.exitCode(outcome)).isEqualTo(ExitCodes.RUN_NOT_SUCCESSFUL);
  }

  @Test
  void await_allSucceed_exitCodeOk() throws Exception {
    InvocationWaiter waiter = waiterSeeing(targets("Running"), targets("Success"));

    InvocationWaiter.Outcome outcome = waiter.await("t-1", Duration.ofMinutes(5), progress::add);

    assertThat(RunScriptCommand.exitCode(outcome)).isEqualTo(ExitCodes.OK);
  }

  @Test
  void await_neverFinishes_givesUpAtLimit() throws Exception {
    InvocationWaiter waiter = waiterSeeing(targets("Running", "Success"));
    Instant start = clock.instant();

    InvocationWaiter.Outcome outcome = waiter.await("t-1", Duration.ofSeconds(30), progress::add);

    assertThat(outcome.finished()).isFalse();
    assertThat(Duration.between(start, clock.instant()))
        .isBetween(Duration.ofSeconds(29), Duration.ofSeconds(30));
    assertThat(progress).containsExactly("1/2 finished");
    assertThat(RunScriptCommand.exitCode(outcome)).isEqualTo(ExitCodes.WAIT_TIMED_OUT);
  }

  @Test
  void await_unknownInvocation_rejectedNamingId() {
    InvocationWaiter waiter =
        new InvocationWaiter(invokeId -> Optional.empty(), clock, clock::advance);

    assertThatThrownBy(() -> waiter.await("t-missing", Duration.ofSeconds(5), progress::add))
        .isInstanceOf(CliException.class)
        .hasMessageContaining("t-missing");
  }

  @Test
  void limitFor_scriptTimeout_addsDeliveryAllowance() {
    assertThat(InvocationWaiter.limitFor(Duration.ofSeconds(60)))
        .isEqualTo(Duration.ofSeconds(180));
  }
}
