package io.deskrun.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A storage failure under a running gateway: 500 InternalError that names nothing internal. */
class InternalErrorTest {
  @TempDir Path dir;

  @Test
  void describeInvocations_databaseClosed_internalErrorWithRequestIdOnly() {
    try (ServerFixture fixture = new ServerFixture(dir)) {
      fixture.call("DescribeInvocations", Map.of());
      fixture.database.close();

      ServerFixture.ApiFailure failure = fixture.failure("DescribeInvocations", Map.of());

      assertThat(failure.httpStatus()).isEqualTo(500);
      assertThat(failure.code()).isEqualTo("InternalError");
      assertThat(failure.getMessage())
          .startsWith("The server failed to process the request. RequestId: ")
          .doesNotContainIgnoringCase("sql")
          .doesNotContainIgnoringCase("exception")
          .doesNotContainIgnoringCase("hikari");
    }
  }
}
