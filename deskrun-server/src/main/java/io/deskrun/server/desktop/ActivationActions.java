package io.deskrun.server.desktop;

import io.deskrun.server.gateway.ActionHandler;
import io.deskrun.server.gateway.ApiError;
import io.deskrun.server.gateway.ApiException;
import io.deskrun.server.gateway.ApiRequest;
import io.deskrun.server.gateway.Parameters;
import io.deskrun.server.support.ApiTimes;
import io.deskrun.server.support.Hashes;
import io.deskrun.server.support.Ids;
import io.deskrun.server.support.PageTokens;
import io.deskrun.server.support.Paging;
import java.time.Duration;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** CreateActivation, DescribeActivations, DisableActivation and DeleteActivation. */
final class ActivationActions {
  private static final Logger LOG = LoggerFactory.getLogger(ActivationActions.class);
  private static final int CODE_LENGTH = 24;
  private static final int MAX_NAME_CHARS = 128;
  private static final int MAX_DESCRIPTION_CHARS = 1024;

  private final Jdbi jdbi;
  private final InstantSource clock;
  private final PageTokens pageTokens;

  ActivationActions(Jdbi jdbi, InstantSource clock, PageTokens pageTokens) {
    this.jdbi = jdbi;
    this.clock = clock;
    this.pageTokens = pageTokens;
  }

  void register(Map<String, ActionHandler> actions) {
    actions.put("CreateActivation", this::create);
    actions.put("DescribeActivations", this::describe);
    actions.put("DisableActivation", this::disable);
    actions.put("DeleteActivation", this::delete);
  }

  Map<String, Object> create(ApiRequest request) {
    Parameters parameters = request.parameters();
    String name = text(parameters, "InstanceName", "desktop", MAX_NAME_CHARS);
    long count = parameters.optionalLong("InstanceCount", 1, 1000).orElse(10L);
    long hours = parameters.optionalLong("TimeToLiveInHours", 1, 876_000).orElse(4L);
    String description = text(parameters, "Description", null, MAX_DESCRIPTION_CHARS);

    String activationId = Ids.activationId();
    String code = Ids.secret(CODE_LENGTH);
    long now = clock.millis();
    jdbi.useHandle(
        handle ->
            handle
                .createUpdate(
                    "INSERT INTO activations (activation_id, account_id, region_id, code_hash,"
                        + " instance_name, description, instance_count, registered_count,"
                        + " disabled, created_at, expires_at) VALUES (:id, :account, :region,"
                        + " :code, :name, :description, :count, 0, FALSE, :now, :expires)")
                .bind("id", activationId)
                .bind("account", request.accountId())
                .bind("region", request.regionId())
                .bind("code", Hashes.sha256(code))
                .bind("name", name)
                .bind("description", description)
                .bind("count", (int) count)
                .bind("now", now)
                .bind("expires", now + Duration.ofHours(hours).toMillis())
                .execute());
    LOG.info(
        "RequestId {}: created activation {} for {} desktops",
        request.requestId(),
        activationId,
        count);

    Map<String, Object> response = new LinkedHashMap<>();
    response.put("ActivationId", activationId);
    response.put("ActivationCode", code);
    return response;
  }

  Map<String, Object> describe(ApiRequest request) {
    Parameters parameters = request.parameters();
    String activationId = parameters.optional("ActivationId").orElse(null);
    int maxResults = parameters.optionalLong("MaxResults", 1, 50).orElse(10L).intValue();
    String scope = "DescribeActivations:" + request.accountId() + ":" + request.regionId();
    Paging.Position after =
        parameters
            .optional("NextToken")
            .map(token -> Paging.Position.parse(pageTokens.read(scope, token)))
            .orElse(null);

    List<Row> rows =
        jdbi.withHandle(handle -> page(handle, request, activationId, after, maxResults + 1));
    String nextToken = "";
    if (rows.size() > maxResults) {
      rows = rows.subList(0, maxResults);
      nextToken = pageTokens.issue(scope, rows.get(maxResults - 1).position().format());
    }

    Map<String, Object> response = new LinkedHashMap<>();
    response.put("Activations", rows.stream().map(Row::fields).toList());
    response.put("NextToken", nextToken);
    response.put("TotalCount", count(request, activationId));
    return response;
  }

  /** One activation as the API shows it, with its paging position. */
  private record Row(Map<String, Object> fields, Paging.Position position) {}

  private List<Row> page(
      Handle handle, ApiRequest request, String activationId, Paging.Position after, int limit) {
    return handle
        .createQuery(
            "SELECT * FROM activations WHERE account_id = :account AND region_id = :region"
                + (activationId == null ? "" : " AND activation_id = :id")
                + (after == null
                    ? ""
                    : " AND " + Paging.BEFORE_CONDITION.formatted("activation_id"))
                + " ORDER BY created_at DESC, activation_id DESC FETCH FIRST :limit ROWS ONLY")
        .bind("account", request.accountId())
        .bind("region", request.regionId())
        .bind("id", activationId)
        .bind("afterCreated", after == null ? 0 : after.createdAt())
        .bind("afterId", after == null ? "" : after.id())
        .bind("limit", limit)
        .map(
            (rs, ctx) -> {
              Map<String, Object> row = new LinkedHashMap<>();
              row.put("ActivationId", rs.getString("activation_id"));
              row.put("InstanceName", rs.getString("instance_name"));
              row.put("Description", rs.getString("description"));
              row.put("InstanceCount", rs.getInt("instance_count"));
              row.put("RegisteredCount", rs.getInt("registered_count"));
              row.put("Disabled", rs.getBoolean("disabled"));
              row.put("CreationTime", ApiTimes.format(rs.getLong("created_at")));
              row.put("ExpiryTime", ApiTimes.format(rs.getLong("expires_at")));
              return new Row(
                  row,
                  new Paging.Position(rs.getLong("created_at"), rs.getString("activation_id")));
            })
        .list();
  }

  private int count(ApiRequest request, String activationId) {
    return jdbi.withHandle(
        handle ->
            handle
                .createQuery(
                    "SELECT COUNT(*) FROM activations WHERE account_id = :account"
                        + " AND region_id = :region"
                        + (activationId == null ? "" : " AND activation_id = :id"))
                .bind("account", request.accountId())
                .bind("region", request.regionId())
                .bind("id", activationId)
                .mapTo(int.class)
                .one());
  }

  Map<String, Object> disable(ApiRequest request) {
    String activationId = request.parameters().required("ActivationId");
    int updated =
        jdbi.withHandle(
            handle ->
                handle
                    .createUpdate(
                        "UPDATE activations SET disabled = TRUE WHERE activation_id = :id"
                            + " AND account_id = :account AND region_id = :region")
                    .bind("id", activationId)
                    .bind("account", request.accountId())
                    .bind("region", request.regionId())
                    .execute());
    if (updated == 0) {
      throw notFound(activationId);
    }
    LOG.info("RequestId {}: disabled activation {}", request.requestId(), activationId);
    return new LinkedHashMap<>();
  }

  Map<String, Object> delete(ApiRequest request) {
    String activationId = request.parameters().required("ActivationId");
    jdbi.useTransaction(handle -> deleteIn(handle, request, activationId));
    LOG.info("RequestId {}: deleted activation {}", request.requestId(), activationId);
    return new LinkedHashMap<>();
  }

  private void deleteIn(Handle handle, ApiRequest request, String activationId) {
    int enrolled =
        handle
            .createQuery("SELECT COUNT(*) FROM desktops WHERE activation_id = :id")
            .bind("id", activationId)
            .mapTo(int.class)
            .one();
    int deleted =
        handle
            .createUpdate(
                "DELETE FROM activations WHERE activation_id = :id AND account_id = :account"
                    + " AND region_id = :region AND NOT EXISTS (SELECT 1 FROM desktops d"
                    + " WHERE d.activation_id = activations.activation_id)")
            .bind("id", activationId)
            .bind("account", request.accountId())
            .bind("region", request.regionId())
            .execute();
    if (deleted == 1) {
      return;
    }
    if (!exists(handle, request, activationId)) {
      throw notFound(activationId);
    }
    throw new ApiException(
        ApiError.ACTIVATION_IN_USE,
        "Activation "
            + activationId
            + " still has "
            + enrolled
            + " registered desktops; deregister them with DeregisterDesktop first.");
  }

  private static boolean exists(Handle handle, ApiRequest request, String activationId) {
    return handle
            .createQuery(
                "SELECT COUNT(*) FROM activations WHERE activation_id = :id"
                    + " AND account_id = :account AND region_id = :region")
            .bind("id", activationId)
            .bind("account", request.accountId())
            .bind("region", request.regionId())
            .mapTo(int.class)
            .one()
        > 0;
  }

  private static ApiException notFound(String activationId) {
    return new ApiException(
        ApiError.ACTIVATION_NOT_FOUND,
        "Activation " + activationId + " does not exist in this account and region.");
  }

  private static String text(Parameters parameters, String name, String fallback, int maxChars) {
    String value = parameters.optional(name).orElse(fallback);
    if (value != null && value.length() > maxChars) {
      throw ApiException.invalidParameter(
          name, name + " is " + value.length() + " characters; the limit is " + maxChars + ".");
    }
    return value;
  }
}
