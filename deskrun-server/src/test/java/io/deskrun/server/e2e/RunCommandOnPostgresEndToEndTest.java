package io.deskrun.server.e2e;

import java.nio.file.Path;

/** The whole end-to-end suite again, with the server's state in a real PostgreSQL. */
class RunCommandOnPostgresEndToEndTest extends RunCommandEndToEndTest {
  @Override
  Fleet newFleet(Path dir) throws Exception {
    return Fleet.startOnPostgres(dir, 2);
  }
}
