package io.deskrun.server.invocation;

import io.deskrun.server.gateway.ApiException;
import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The legacy names of the {@code InvokeStatus} filter of DescribeInvocations and the overall
 * statuses each one selects, as SQL over the invocation's targets.
 */
enum InvokeStatusFilter {
  /** Overall Pending, Running or Stopping: some target is not final. */
  Running("EXISTS (%1$s AND t.status IN ('Pending', 'Running', 'Stopping'))"),
  /** Overall Success: all final, some Success, no failure. */
  Finished(
      "NOT EXISTS (%1$s AND t.status IN ('Pending', 'Running', 'Stopping'))"
          + " AND EXISTS (%1$s AND t.status = 'Success') AND NOT EXISTS (%1$s AND %2$s)"),
  /** Overall Failed: all final, failures and no success. */
  Failed(
      "NOT EXISTS (%1$s AND t.status IN ('Pending', 'Running', 'Stopping'))"
          + " AND NOT EXISTS (%1$s AND t.status = 'Success') AND EXISTS (%1$s AND %2$s)"),
  /** Overall PartialFailed: all final, with both successes and failures. */
  PartialFailed(
      "NOT EXISTS (%1$s AND t.status IN ('Pending', 'Running', 'Stopping'))"
          + " AND EXISTS (%1$s AND t.status = 'Success') AND EXISTS (%1$s AND %2$s)"),
  /** Overall Stopped: every target Cancelled or Terminated. */
  Stopped("NOT EXISTS (%1$s AND t.status NOT IN ('Cancelled', 'Terminated'))");

  private static final String FAILED_STATUSES =
      "t.status IN ('Invalid', 'Aborted', 'Failed', 'Error', 'Timeout')";

  private final String template;

  InvokeStatusFilter(String template) {
    this.template = template;
  }

  /** Returns the SQL condition for the invocation whose id column is {@code invokeIdColumn}. */
  String sqlCondition(String invokeIdColumn) {
    String targetsOf = "SELECT 1 FROM targets t WHERE t.invoke_id = " + invokeIdColumn;
    return "(" + template.formatted(targetsOf, FAILED_STATUSES) + ")";
  }

  /** Parses the filter value (exact names); an unknown value is {@code InvalidParameter}. */
  static Optional<InvokeStatusFilter> parse(Optional<String> value) {
    if (value.isEmpty()) {
      return Optional.empty();
    }
    return Arrays.stream(values())
        .filter(filter -> filter.name().equals(value.get()))
        .findFirst()
        .or(
            () -> {
              throw ApiException.invalidParameter(
                  "InvokeStatus",
                  "InvokeStatus \""
                      + value.get()
                      + "\" is not valid; use one of "
                      + Arrays.stream(values()).map(Enum::name).collect(Collectors.joining(", "))
                      + ".");
            });
  }
}
