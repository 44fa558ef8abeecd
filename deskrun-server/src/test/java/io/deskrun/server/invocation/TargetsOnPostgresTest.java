package io.deskrun.server.invocation;

import io.deskrun.server.storage.Database;
import io.deskrun.server.storage.TestPostgres;

/** The target state machine's cases on a real PostgreSQL, where claims lock and skip rows. */
class TargetsOnPostgresTest extends TargetsTest {
  @Override
  Database openDatabase() {
    return Database.open(TestPostgres.newDatabaseUrl(), TestPostgres.USER, "");
  }
}
