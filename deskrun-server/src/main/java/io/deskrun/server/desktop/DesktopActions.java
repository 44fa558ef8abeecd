package io.deskrun.server.desktop;

import io.deskrun.server.gateway.ActionHandler;
import io.deskrun.server.gateway.ApiError;
import io.deskrun.server.gateway.ApiException;
import io.deskrun.server.gateway.ApiRequest;
import io.deskrun.server.gateway.Parameters;
import io.deskrun.server.support.ApiTimes;
import io.deskrun.server.support.PageTokens;
import io.deskrun.server.support.Paging;
import java.time.Duration;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.Query;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The desktop and activation actions of the API. */
public final class DesktopActions {
  private static final Logger LOG = LoggerFactory.getLogger(DesktopActions.class);

  private final Jdbi jdbi;
  private final InstantSource clock;
  private final Duration heartbeatWindow;
  private final PageTokens pageTokens;
  private final Consumer<String> onDeregistered;

  /**
   * @param onDeregistered called with the id of each deregistered desktop, after its row is gone
   */
  public DesktopActions(
      Jdbi jdbi,
      InstantSource clock,
      Duration heartbeatWindow,
      PageTokens pageTokens,
      Consumer<String> onDeregistered) {
    this.jdbi = jdbi;
    this.clock = clock;
    this.heartbeatWindow = heartbeatWindow;
    this.pageTokens = pageTokens;
    this.onDeregistered = onDeregistered;
  }

  /** Adds the handlers of these actions to {@code actions}, by action name. */
  public void register(Map<String, ActionHandler> actions) {
    new ActivationActions(jdbi, clock, pageTokens).register(actions);
    actions.put("DescribeDesktops", this::describeDesktops);
    actions.put("DeregisterDesktop", this::deregisterDesktop);
  }

  Map<String, Object> describeDesktops(ApiRequest request) {
    Parameters parameters = request.parameters();
    List<String> desktopIds = List.copyOf(new LinkedHashSet<>(parameters.list("DesktopId", 100)));
    String name = parameters.optional("DesktopName").orElse(null);
    int maxResults = parameters.optionalLong("MaxResults", 1, 100).orElse(10L).intValue();
    String scope = "DescribeDesktops:" + request.accountId() + ":" + request.regionId();
    Paging.Position after =
        parameters
            .optional("NextToken")
            .map(token -> Paging.Position.parse(pageTokens.read(scope, token)))
            .orElse(null);

    String filters =
        " FROM desktops WHERE account_id = :account AND region_id = :region"
            + (desktopIds.isEmpty() ? "" : " AND desktop_id IN (<ids>)")
            + (name == null ? "" : " AND desktop_name = :name");
    List<Desktop> rows =
        jdbi.withHandle(
            handle ->
                bindFilters(
                        handle.createQuery(
                            "SELECT "
                                + DesktopRegistry.COLUMNS
                                + filters
                                + (after == null
                                    ? ""
                                    : " AND " + Paging.BEFORE_CONDITION.formatted("desktop_id"))
                                + " ORDER BY created_at DESC, desktop_id DESC"
                                + " FETCH FIRST :limit ROWS ONLY"),
                        request,
                        desktopIds,
                        name)
                    .bind("afterCreated", after == null ? 0 : after.createdAt())
                    .bind("afterId", after == null ? "" : after.id())
                    .bind("limit", maxResults + 1)
                    .map((rs, ctx) -> DesktopRegistry.map(rs))
                    .list());
    int total =
        jdbi.withHandle(
            handle ->
                bindFilters(
                        handle.createQuery("SELECT COUNT(*)" + filters), request, desktopIds, name)
                    .mapTo(int.class)
                    .one());

    String nextToken = "";
    if (rows.size() > maxResults) {
      rows = rows.subList(0, maxResults);
      Desktop last = rows.get(maxResults - 1);
      nextToken =
          pageTokens.issue(scope, new Paging.Position(last.createdAt(), last.desktopId()).format());
    }
    Map<String, Object> response = new LinkedHashMap<>();
    response.put("Desktops", rows.stream().map(this::toApi).toList());
    response.put("NextToken", nextToken);
    response.put("TotalCount", total);
    return response;
  }

  private static Query bindFilters(
      Query query, ApiRequest request, List<String> desktopIds, String name) {
    query
        .bind("account", request.accountId())
        .bind("region", request.regionId())
        .bind("name", name);
    if (!desktopIds.isEmpty()) {
      query.bindList("ids", desktopIds);
    }
    return query;
  }

  private Map<String, Object> toApi(Desktop desktop) {
    Map<String, Object> item = new LinkedHashMap<>();
    item.put("DesktopId", desktop.desktopId());
    item.put("DesktopName", desktop.desktopName());
    item.put("OsType", desktop.osType().name());
    item.put("Hostname", desktop.hostname());
    item.put("AgentVersion", desktop.agentVersion());
    item.put("AgentStatus", isOnline(desktop) ? "Online" : "Offline");
    item.put("LastHeartbeatTime", ApiTimes.format(desktop.lastHeartbeatAt()));
    item.put("CreationTime", ApiTimes.format(desktop.createdAt()));
    item.put("RegionId", desktop.regionId());
    return item;
  }

  private boolean isOnline(Desktop desktop) {
    return desktop.lastHeartbeatAt() != null
        && desktop.lastHeartbeatAt() > clock.millis() - heartbeatWindow.toMillis();
  }

  Map<String, Object> deregisterDesktop(ApiRequest request) {
    String desktopId = request.parameters().required("DesktopId");
    int deleted =
        jdbi.withHandle(
            handle ->
                handle
                    .createUpdate(
                        "DELETE FROM desktops WHERE desktop_id = :id AND account_id = :account"
                            + " AND region_id = :region")
                    .bind("id", desktopId)
                    .bind("account", request.accountId())
                    .bind("region", request.regionId())
                    .execute());
    if (deleted == 0) {
      throw new ApiException(
          ApiError.DESKTOP_NOT_FOUND,
          "Desktop " + desktopId + " does not exist in this account and region.");
    }
    onDeregistered.accept(desktopId);
    LOG.info("RequestId {}: deregistered desktop {}", request.requestId(), desktopId);
    return new LinkedHashMap<>();
  }
}
