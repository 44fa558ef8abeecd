package io.deskrun.server;

/** The enrollment and delivery races on a real PostgreSQL. */
class ConcurrencyOnPostgresTest extends ConcurrencyTest {
  @Override
  ServerConfig onDatabase(ServerConfig config) {
    return ServerFixture.onPostgres(config);
  }
}
