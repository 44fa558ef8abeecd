package io.deskrun.server.invocation;

import io.deskrun.protocol.ScriptType;
import io.deskrun.protocol.TargetStatus;
import io.deskrun.server.storage.GroupCommit;
import io.deskrun.server.storage.WriteJournal;
import io.deskrun.server.support.Paging;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.PreparedBatch;
import org.jdbi.v3.core.statement.Query;

/** Invocations and their targets in the database. */
final class InvocationStore {
  private final Jdbi jdbi;
  private final InstantSource clock;

  /** Shares the commits of RunCommand calls that arrive together. */
  private final GroupCommit writes;

  InvocationStore(Jdbi jdbi, InstantSource clock) {
    this.jdbi = jdbi;
    this.clock = clock;
    this.writes = new GroupCommit(jdbi);
  }

  record NewInvocation(
      String invokeId,
      String accountId,
      String regionId,
      ScriptType type,
      String script,
      String endUserId,
      long timeoutSeconds,
      long createdAt) {}

  /** A stored invocation; times are epoch milliseconds. */
  record StoredInvocation(
      String invokeId, String commandType, String script, String endUserId, long createdAt) {}

  /** A stored target; times are epoch milliseconds, null when not reached. */
  record StoredTarget(
      String invokeId,
      String desktopId,
      String desktopName,
      TargetStatus status,
      String errorCode,
      String errorInfo,
      Long exitCode,
      String output,
      long dropped,
      int repeats,
      long createdAt,
      Long startTime,
      Long stopTime,
      Long finishTime,
      long updateTime) {}

  /** The filters of DescribeInvocations; null means no filter. */
  record Filter(
      String accountId,
      String regionId,
      String invokeId,
      String commandType,
      String endUserId,
      List<String> desktopIds,
      InvokeStatusFilter status) {}

  /** Stores the invocation and all its targets in one transaction. */
  void insert(NewInvocation invocation, List<NewTarget> targets) {
    insert(invocation, targets, Set.of());
  }

  /**
   * Stores the invocation and its targets in one transaction; the targets of {@code
   * deliveredDesktopIds} are stored as delivered now, because their tasks go straight to a waiting
   * poll.
   */
  void insert(NewInvocation invocation, List<NewTarget> targets, Set<String> deliveredDesktopIds) {
    writes.runJournaled(CREATED, new Created(invocation, targets, Set.copyOf(deliveredDesktopIds)));
  }

  /** A new invocation as journaled. */
  record Created(NewInvocation invocation, List<NewTarget> targets, Set<String> delivered) {}

  /** A new invocation with its targets; applied again only when the invocation is not stored. */
  static final WriteJournal.Kind<Created> CREATED =
      new WriteJournal.Kind<>(
          "invocation-created",
          Created.class,
          InvocationStore::writeCreated,
          InvocationStore::writeCreatedUnlessStored);

  private static int writeCreatedUnlessStored(Handle handle, Created created) {
    boolean stored =
        handle
                .createQuery("SELECT COUNT(*) FROM invocations WHERE invoke_id = :id")
                .bind("id", created.invocation().invokeId())
                .mapTo(int.class)
                .one()
            > 0;
    return stored ? 0 : writeCreated(handle, created);
  }

  private static int writeCreated(Handle handle, Created created) {
    NewInvocation invocation = created.invocation();
    handle
        .createUpdate(
            "INSERT INTO invocations (invoke_id, account_id, region_id, command_type,"
                + " command_content, end_user_id, timeout_seconds, created_at) VALUES"
                + " (:id, :account, :region, :type, :content, :endUser, :timeout, :now)")
        .bind("id", invocation.invokeId())
        .bind("account", invocation.accountId())
        .bind("region", invocation.regionId())
        .bind("type", invocation.type().name())
        .bind("content", invocation.script())
        .bind("endUser", invocation.endUserId())
        .bind("timeout", invocation.timeoutSeconds())
        .bind("now", invocation.createdAt())
        .execute();
    insertTargets(handle, invocation, created.targets(), created.delivered());
    return 1 + created.targets().size();
  }

  private static void insertTargets(
      Handle handle,
      NewInvocation invocation,
      List<NewTarget> targets,
      Set<String> deliveredDesktopIds) {
    PreparedBatch batch =
        handle.prepareBatch(
            "INSERT INTO targets (invoke_id, desktop_id, desktop_name, status, error_code,"
                + " error_info, dropped, repeats, created_at, finish_time, update_time,"
                + " delivered_at) VALUES (:invoke, :desktop, :name, :status, :code, :info, 0, 1,"
                + " :now, :finish, :now, :delivered)");
    for (NewTarget target : targets) {
      batch
          .bind("invoke", invocation.invokeId())
          .bind("desktop", target.desktopId())
          .bind("name", target.desktopName())
          .bind("status", target.status().name())
          .bind("code", target.errorCode())
          .bind("info", ErrorInfos.of(target.errorCode()))
          .bind("now", invocation.createdAt())
          .bind("finish", target.status().isFinal() ? (Long) invocation.createdAt() : null)
          .bind(
              "delivered",
              deliveredDesktopIds.contains(target.desktopId())
                  ? (Long) invocation.createdAt()
                  : null)
          .add();
    }
    batch.execute();
  }

  /** Finds an invocation of this account and region. */
  Optional<StoredInvocation> find(String accountId, String regionId, String invokeId) {
    return jdbi.withHandle(
        handle ->
            handle
                .createQuery(
                    "SELECT * FROM invocations WHERE invoke_id = :id AND account_id = :account"
                        + " AND region_id = :region")
                .bind("id", invokeId)
                .bind("account", accountId)
                .bind("region", regionId)
                .map((rs, ctx) -> mapInvocation(rs))
                .findOne());
  }

  /** Returns up to {@code limit} invocations after the position, newest first. */
  List<StoredInvocation> page(Filter filter, Paging.Position after, int limit) {
    StringBuilder sql =
        new StringBuilder(
            "SELECT * FROM invocations WHERE account_id = :account AND region_id = :region");
    if (filter.invokeId() != null) {
      sql.append(" AND invoke_id = :invokeId");
    }
    if (filter.commandType() != null) {
      sql.append(" AND command_type = :commandType");
    }
    if (filter.endUserId() != null) {
      sql.append(" AND end_user_id = :endUserId");
    }
    if (!filter.desktopIds().isEmpty()) {
      sql.append(
          " AND EXISTS (SELECT 1 FROM targets t WHERE t.invoke_id = invocations.invoke_id"
              + " AND t.desktop_id IN (<desktopIds>))");
    }
    if (filter.status() != null) {
      sql.append(" AND ").append(filter.status().sqlCondition("invocations.invoke_id"));
    }
    if (after != null) {
      sql.append(" AND ").append(Paging.BEFORE_CONDITION.formatted("invoke_id"));
    }
    sql.append(" ORDER BY created_at DESC, invoke_id DESC FETCH FIRST :limit ROWS ONLY");
    return jdbi.withHandle(
        handle -> {
          Query query =
              handle
                  .createQuery(sql.toString())
                  .bind("account", filter.accountId())
                  .bind("region", filter.regionId())
                  .bind("invokeId", filter.invokeId())
                  .bind("commandType", filter.commandType())
                  .bind("endUserId", filter.endUserId())
                  .bind("afterCreated", after == null ? 0 : after.createdAt())
                  .bind("afterId", after == null ? "" : after.id())
                  .bind("limit", limit);
          if (!filter.desktopIds().isEmpty()) {
            query.bindList("desktopIds", filter.desktopIds());
          }
          return query.map((rs, ctx) -> mapInvocation(rs)).list();
        });
  }

  /** Returns the targets of these invocations, grouped by invoke id, ordered by desktop id. */
  Map<String, List<StoredTarget>> targetsOf(List<String> invokeIds) {
    Map<String, List<StoredTarget>> byInvocation = new LinkedHashMap<>();
    if (invokeIds.isEmpty()) {
      return byInvocation;
    }
    List<StoredTarget> targets =
        jdbi.withHandle(
            handle ->
                handle
                    .createQuery(
                        "SELECT * FROM targets WHERE invoke_id IN (<ids>)"
                            + " ORDER BY invoke_id, created_at, desktop_id")
                    .bindList("ids", invokeIds)
                    .map((rs, ctx) -> mapTarget(rs))
                    .list());
    for (StoredTarget target : targets) {
      byInvocation
          .computeIfAbsent(target.invokeId(), id -> new java.util.ArrayList<>())
          .add(target);
    }
    return byInvocation;
  }

  /** Deletes invocations older than the age limit or past the newest {@code maxPerAccount}. */
  int deleteExpired(long olderThanMillis, int maxPerAccount) {
    long cutoff = clock.millis() - olderThanMillis;
    return jdbi.inTransaction(
        handle -> {
          int deleted =
              handle
                  .createUpdate("DELETE FROM invocations WHERE created_at < :cutoff")
                  .bind("cutoff", cutoff)
                  .execute();
          return deleted + deleteOverflow(handle, maxPerAccount);
        });
  }

  private static int deleteOverflow(Handle handle, int maxPerAccount) {
    List<String> accounts =
        handle
            .createQuery(
                "SELECT account_id FROM invocations GROUP BY account_id HAVING COUNT(*) > :max")
            .bind("max", maxPerAccount)
            .mapTo(String.class)
            .list();
    int deleted = 0;
    for (String account : accounts) {
      Optional<Paging.Position> oldestKept =
          handle
              .createQuery(
                  "SELECT created_at, invoke_id FROM invocations WHERE account_id = :account"
                      + " ORDER BY created_at DESC, invoke_id DESC OFFSET :skip ROWS"
                      + " FETCH FIRST 1 ROWS ONLY")
              .bind("account", account)
              .bind("skip", maxPerAccount - 1)
              .map((rs, ctx) -> new Paging.Position(rs.getLong(1), rs.getString(2)))
              .findOne();
      if (oldestKept.isPresent()) {
        deleted +=
            handle
                .createUpdate(
                    "DELETE FROM invocations WHERE account_id = :account AND "
                        + Paging.BEFORE_CONDITION.formatted("invoke_id"))
                .bind("account", account)
                .bind("afterCreated", oldestKept.get().createdAt())
                .bind("afterId", oldestKept.get().id())
                .execute();
      }
    }
    return deleted;
  }

  private static StoredInvocation mapInvocation(ResultSet rs) throws SQLException {
    return new StoredInvocation(
        rs.getString("invoke_id"),
        rs.getString("command_type"),
        rs.getString("command_content"),
        rs.getString("end_user_id"),
        rs.getLong("created_at"));
  }

  private static StoredTarget mapTarget(ResultSet rs) throws SQLException {
    return new StoredTarget(
        rs.getString("invoke_id"),
        rs.getString("desktop_id"),
        rs.getString("desktop_name"),
        TargetStatus.valueOf(rs.getString("status")),
        rs.getString("error_code"),
        rs.getString("error_info"),
        rs.getObject("exit_code", Long.class),
        rs.getString("output"),
        rs.getLong("dropped"),
        rs.getInt("repeats"),
        rs.getLong("created_at"),
        rs.getObject("start_time", Long.class),
        rs.getObject("stop_time", Long.class),
        rs.getObject("finish_time", Long.class),
        rs.getLong("update_time"));
  }
}
