package io.deskrun.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.deskrun.cli.api.ApiClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Polls DescribeInvocations until every desktop of an invocation has finished or a time limit
 * passes, reporting progress whenever the number of finished desktops changes.
 */
final class InvocationWaiter {
  static final Duration POLL_INTERVAL = Duration.ofSeconds(1);

  /** Time allowed on top of the script timeout: the server's delivery window plus a margin. */
  static final Duration DELIVERY_ALLOWANCE = Duration.ofSeconds(120);

  /** Pauses between polls; tests pass one that moves a fake clock instead of sleeping. */
  interface Pause {
    void pause(Duration duration) throws InterruptedException;
  }

  private final Function<String, Optional<Invocation>> describe;
  private final Clock clock;
  private final Pause pause;

  InvocationWaiter(Function<String, Optional<Invocation>> describe, Clock clock, Pause pause) {
    this.describe = describe;
    this.clock = clock;
    this.pause = pause;
  }

  /** Creates a waiter that polls the API once a second. */
  static InvocationWaiter polling(ApiClient api) {
    return new InvocationWaiter(
        invokeId -> describeOne(api, invokeId),
        Clock.systemUTC(),
        duration -> Thread.sleep(duration));
  }

  /** The invocation as last seen, and whether every desktop had finished by then. */
  record Outcome(Invocation invocation, boolean finished) {}

  /**
   * Waits for the invocation to finish.
   *
   * @param limit how long to wait in total
   * @param progress receives a line such as {@code 3/5 finished} each time the count changes
   * @throws CliException when the invocation does not exist
   */
  Outcome await(String invokeId, Duration limit, Consumer<String> progress)
      throws InterruptedException {
    Instant deadline = clock.instant().plus(limit);
    String lastProgress = null;
    while (true) {
      Invocation invocation = fetch(invokeId);
      String line = InvocationFormatter.progress(invocation);
      if (!line.equals(lastProgress)) {
        progress.accept(line);
        lastProgress = line;
      }

      if (invocation.isFinished()) {
        return new Outcome(invocation, true);
      }
      if (!clock.instant().plus(POLL_INTERVAL).isBefore(deadline)) {
        return new Outcome(invocation, false);
      }
      pause.pause(POLL_INTERVAL);
    }
  }

  private Invocation fetch(String invokeId) {
    return describe
        .apply(invokeId)
        .orElseThrow(() -> new CliException("Invocation " + invokeId + " was not found"));
  }

  /** Returns the invocation with every desktop's output as plain text, if it exists. */
  static Optional<Invocation> describeOne(ApiClient api, String invokeId) {
    JsonNode response =
        api.call(
            "DescribeInvocations",
            Map.of(
                "InvokeId", invokeId,
                "IncludeOutput", "true",
                "ContentEncoding", "PlainText"));
    JsonNode invocations = response.path("Invocations");
    if (invocations.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(Invocation.fromJson(invocations.get(0)));
  }

  /** Returns the wait limit for a script timeout: the timeout plus {@link #DELIVERY_ALLOWANCE}. */
  static Duration limitFor(Duration scriptTimeout) {
    return scriptTimeout.plus(DELIVERY_ALLOWANCE);
  }
}
