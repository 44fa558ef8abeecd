package io.deskrun.cli;

import io.deskrun.cli.api.ApiClient;
import io.deskrun.cli.api.CredentialsResolver;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Option;

/** Options shared by the commands that call the API, and where their credentials come from. */
final class ClientOptions {
  @Option(
      names = "--data-dir",
      paramLabel = "DIR",
      description =
          "Read AccessKey, endpoint and region from DIR/bootstrap-credentials.json. Without it:"
              + " ALIBABA_CLOUD_ACCESS_KEY_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET, DESKRUN_ENDPOINT"
              + " (default 127.0.0.1:8080) and DESKRUN_REGION_ID (default cn-hangzhou), else"
              + " data/bootstrap-credentials.json in the current directory.")
  Path dataDir;

  ApiClient client() {
    return client(System.getenv());
  }

  ApiClient client(Map<String, String> environment) {
    return ApiClient.create(CredentialsResolver.resolve(dataDir, environment));
  }
}
