package io.deskrun.server.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.jdbi.v3.core.Handle;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The statements the API, the dispatcher, the sweeper and the wake-up re-check run most, each
 * planned by PostgreSQL with sequential scans discouraged: a plan that still scans a table whole
 * means no index serves the statement. The tables are empty, so only the plan's shape is checked.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class QueryPlanOnPostgresTest {
  private Database database;

  @BeforeAll
  void open() {
    database = Database.open(TestPostgres.newDatabaseUrl(), TestPostgres.USER, "", 2);
  }

  @AfterAll
  void close() {
    database.close();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        // The poll: work to hand out, and runs to stop.
        "SELECT i.invoke_id FROM targets t JOIN invocations i ON i.invoke_id = t.invoke_id"
            + " WHERE t.desktop_id = 'ecd-1' AND t.status = 'Pending'"
            + " AND (t.delivered_at IS NULL OR t.delivered_at <= 5) AND t.created_at > 1"
            + " ORDER BY t.created_at, i.invoke_id FETCH FIRST 10 ROWS ONLY"
            + " FOR UPDATE OF t SKIP LOCKED",
        "SELECT invoke_id FROM targets WHERE desktop_id = 'ecd-1' AND status = 'Stopping'",
        // The sweeper.
        "UPDATE targets SET status = 'Aborted' WHERE status = 'Pending' AND created_at <= 5",
        "UPDATE targets SET status = 'Error' WHERE status IN ('Running', 'Stopping')"
            + " AND deadline_at <= 5 AND update_time <= 5",
        "DELETE FROM nonces WHERE expires_at <= 5",
        "DELETE FROM invocations WHERE created_at < 5",
        // The wake-up re-check.
        "SELECT desktop_id FROM targets WHERE status = 'Pending' AND created_at > 5"
            + " UNION SELECT desktop_id FROM targets WHERE stop_time > 5",
        // The API's lists and look-ups.
        "SELECT * FROM invocations WHERE account_id = 'a' AND region_id = 'r'"
            + " ORDER BY created_at DESC, invoke_id DESC FETCH FIRST 10 ROWS ONLY",
        "SELECT * FROM targets WHERE invoke_id IN ('t-1', 't-2')"
            + " ORDER BY invoke_id, created_at, desktop_id",
        "SELECT * FROM desktops WHERE account_id = 'a' AND region_id = 'r'"
            + " ORDER BY created_at DESC, desktop_id DESC FETCH FIRST 10 ROWS ONLY",
        "SELECT * FROM activations WHERE account_id = 'a' AND region_id = 'r'"
            + " ORDER BY created_at DESC, activation_id DESC FETCH FIRST 10 ROWS ONLY",
        "SELECT COUNT(*) FROM desktops WHERE activation_id = 'act-1'",
        "UPDATE activations SET registered_count = registered_count + 1"
            + " WHERE activation_id = 'act-1' AND registered_count < instance_count",
      })
  void plan_frequentStatement_usesIndex(String statement) {
    List<String> plan =
        database
            .jdbi()
            .inTransaction(
                handle -> {
                  handle.execute("SET LOCAL enable_seqscan = off");
                  return explain(handle, statement);
                });

    assertThat(plan).as("plan of %s", statement).noneMatch(line -> line.contains("Seq Scan"));
  }

  private static List<String> explain(Handle handle, String statement) {
    return handle.createQuery("EXPLAIN " + statement).mapTo(String.class).list();
  }
}
