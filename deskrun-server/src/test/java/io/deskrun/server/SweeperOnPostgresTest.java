package io.deskrun.server;

/** The sweeper's steps on a real PostgreSQL, where they run under an advisory lock. */
class SweeperOnPostgresTest extends SweeperTest {
  @Override
  ServerConfig onDatabase(ServerConfig config) {
    return ServerFixture.onPostgres(config);
  }
}
