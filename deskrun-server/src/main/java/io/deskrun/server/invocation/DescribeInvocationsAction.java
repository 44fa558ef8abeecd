package io.deskrun.server.invocation;

import io.deskrun.protocol.TargetStatus;
import io.deskrun.server.gateway.ApiRequest;
import io.deskrun.server.gateway.Parameters;
import io.deskrun.server.support.ApiTimes;
import io.deskrun.server.support.PageTokens;
import io.deskrun.server.support.Paging;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** DescribeInvocations: filters, pages and renders invocations with their targets. */
final class DescribeInvocationsAction {
  static final int MAX_DESKTOP_IDS = 100;

  private final InvocationStore store;
  private final PageTokens pageTokens;

  DescribeInvocationsAction(InvocationStore store, PageTokens pageTokens) {
    this.store = store;
    this.pageTokens = pageTokens;
  }

  Map<String, Object> handle(ApiRequest request) {
    Parameters parameters = request.parameters();
    InvocationStore.Filter filter = filter(request, parameters);
    boolean includeOutput = parameters.optionalBoolean("IncludeOutput").orElse(false);
    boolean includeTargets = parameters.optionalBoolean("IncludeInvokeDesktops").orElse(true);
    boolean plainText = isPlainText(parameters);
    int maxResults = parameters.optionalLong("MaxResults", 1, 50).orElse(10L).intValue();
    String scope = "DescribeInvocations:" + request.accountId() + ":" + request.regionId();
    Paging.Position after =
        parameters
            .optional("NextToken")
            .map(token -> Paging.Position.parse(pageTokens.read(scope, token)))
            .orElse(null);

    List<InvocationStore.StoredInvocation> rows = store.page(filter, after, maxResults + 1);
    String nextToken = "";
    if (rows.size() > maxResults) {
      rows = rows.subList(0, maxResults);
      InvocationStore.StoredInvocation last = rows.get(maxResults - 1);
      nextToken =
          pageTokens.issue(scope, new Paging.Position(last.createdAt(), last.invokeId()).format());
    }
    Map<String, List<InvocationStore.StoredTarget>> targets =
        store.targetsOf(rows.stream().map(InvocationStore.StoredInvocation::invokeId).toList());

    List<Map<String, Object>> invocations = new ArrayList<>();
    for (InvocationStore.StoredInvocation row : rows) {
      List<InvocationStore.StoredTarget> ofRow = targets.getOrDefault(row.invokeId(), List.of());
      invocations.add(render(row, ofRow, includeTargets, includeOutput, plainText));
    }
    Map<String, Object> response = new LinkedHashMap<>();
    response.put("NextToken", nextToken);
    response.put("Invocations", invocations);
    return response;
  }

  private static InvocationStore.Filter filter(ApiRequest request, Parameters parameters) {
    LinkedHashSet<String> desktopIds = new LinkedHashSet<>();
    parameters.optional("DesktopId").ifPresent(desktopIds::add);
    desktopIds.addAll(parameters.list("DesktopIds", MAX_DESKTOP_IDS));
    return new InvocationStore.Filter(
        request.accountId(),
        request.regionId(),
        parameters.optional("InvokeId").orElse(null),
        parameters.optional("CommandType").orElse(null),
        parameters.optional("EndUserId").orElse(null),
        List.copyOf(desktopIds),
        InvokeStatusFilter.parse(parameters.optional("InvokeStatus")).orElse(null));
  }

  /** Base64 is the default; only {@code PlainText} (any case) selects plain text. */
  private static boolean isPlainText(Parameters parameters) {
    return parameters
        .optional("ContentEncoding")
        .map(value -> value.toLowerCase(Locale.ROOT).equals("plaintext"))
        .orElse(false);
  }

  private static Map<String, Object> render(
      InvocationStore.StoredInvocation row,
      List<InvocationStore.StoredTarget> targets,
      boolean includeTargets,
      boolean includeOutput,
      boolean plainText) {
    List<TargetStatus> statuses =
        targets.stream().map(InvocationStore.StoredTarget::status).toList();
    Map<String, Object> item = new LinkedHashMap<>();
    item.put("InvokeId", row.invokeId());
    item.put("InvocationStatus", RollUp.overall(statuses));
    item.put("CommandContent", encode(row.script(), plainText));
    item.put("CommandType", row.commandType());
    item.put("CreationTime", ApiTimes.format(row.createdAt()));
    item.put("EndUserId", row.endUserId());
    item.put("InvokeDesktopCount", targets.size());
    item.put(
        "InvokeDesktopSucceedCount",
        (int) statuses.stream().filter(status -> status == TargetStatus.Success).count());
    if (includeTargets) {
      item.put(
          "InvokeDesktops",
          targets.stream().map(target -> renderTarget(target, includeOutput, plainText)).toList());
    }
    return item;
  }

  private static Map<String, Object> renderTarget(
      InvocationStore.StoredTarget target, boolean includeOutput, boolean plainText) {
    Map<String, Object> item = new LinkedHashMap<>();
    item.put("DesktopId", target.desktopId());
    item.put("DesktopName", target.desktopName());
    item.put("InvocationStatus", target.status().name());
    if (includeOutput) {
      item.put("Output", encode(target.output() == null ? "" : target.output(), plainText));
    }
    item.put("ExitCode", target.exitCode());
    item.put("Dropped", (int) Math.min(Integer.MAX_VALUE, target.dropped()));
    item.put("ErrorCode", target.errorCode());
    item.put("ErrorInfo", target.errorInfo());
    item.put("Repeats", target.repeats());
    item.put("CreationTime", ApiTimes.format(target.createdAt()));
    item.put("StartTime", ApiTimes.format(target.startTime()));
    item.put("StopTime", ApiTimes.format(target.stopTime()));
    item.put("FinishTime", ApiTimes.format(target.finishTime()));
    item.put("UpdateTime", ApiTimes.format(target.updateTime()));
    return item;
  }

  private static String encode(String text, boolean plainText) {
    if (plainText) {
      return text;
    }
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }
}
