package io.deskrun.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;

/** Runs a script through the API and waits, as a client would, until every desktop is final. */
final class Invocations {
  static final String SCRIPT = "echo hi";

  /**
   * How often the waiting client calls DescribeInvocations: often enough that the wait adds about
   * half a millisecond to a run, seldom enough that the calls take a small part of the server.
   */
  static final Duration CLIENT_POLL_INTERVAL = Duration.ofMillis(1);

  private static final Set<String> NOT_FINAL = Set.of("Pending", "Running", "Stopping");
  private static final Duration LIMIT = Duration.ofSeconds(60);

  private Invocations() {}

  /** Calls RunCommand for the desktops and returns the new InvokeId. */
  static String runCommand(ApiCaller api, List<String> desktopIds, String script) {
    Map<String, String> parameters = new LinkedHashMap<>();
    for (int i = 0; i < desktopIds.size(); i++) {
      parameters.put("DesktopId." + (i + 1), desktopIds.get(i));
    }
    parameters.put("Type", "RunShellScript");
    parameters.put("CommandContent", script);
    parameters.put("Timeout", "60");
    return api.call("RunCommand", parameters).get("InvokeId").asText();
  }

  /**
   * When the steps of one run happened ({@link System#nanoTime}): the RunCommand call, its
   * response, and the DescribeInvocations response that first showed the invocation final.
   */
  record Timing(String invokeId, long start, long accepted, long seenFinal) {
    double millis() {
      return (seenFinal - start) / 1e6;
    }
  }

  /**
   * Runs the script on the desktops and returns the ms from the RunCommand call until
   * DescribeInvocations shows the invocation final; anything but Success throws.
   */
  static double runAndWait(ApiCaller api, List<String> desktopIds, String script) {
    return timedRun(api, desktopIds, script).millis();
  }

  /** Like {@link #runAndWait}, with the time of each step. */
  static Timing timedRun(ApiCaller api, List<String> desktopIds, String script) {
    long start = System.nanoTime();
    String invokeId = runCommand(api, desktopIds, script);
    long accepted = System.nanoTime();
    long deadline = start + LIMIT.toNanos();
    while (System.nanoTime() < deadline) {
      String status = status(api, invokeId);
      if (!NOT_FINAL.contains(status)) {
        long seenFinal = System.nanoTime();
        if (!status.equals("Success")) {
          throw new BenchException("Invocation " + invokeId + " ended " + status);
        }
        return new Timing(invokeId, start, accepted, seenFinal);
      }
      LockSupport.parkNanos(CLIENT_POLL_INTERVAL.toNanos());
    }
    throw new BenchException("Invocation " + invokeId + " was not final after " + LIMIT);
  }

  private static String status(ApiCaller api, String invokeId) {
    JsonNode body =
        api.call("DescribeInvocations", Map.of("InvokeId", invokeId, "IncludeOutput", "false"));
    return body.path("Invocations").path(0).path("InvocationStatus").asText("Missing");
  }
}
