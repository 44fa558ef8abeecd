package io.deskrun.cli;

import io.deskrun.agent.TrustedCertificates;
import io.deskrun.cli.api.ApiClient;
import io.deskrun.cli.api.Credentials;
import io.deskrun.cli.api.CredentialsResolver;
import java.nio.file.Path;
import java.util.Map;
import javax.net.ssl.SSLContext;
import picocli.CommandLine.Option;

/**
 * Options shared by the commands that call the API, where their credentials come from, and which
 * certificates they trust for an https endpoint.
 */
final class ClientOptions {
  /**
   * Environment variable with the PEM file of trusted certificates, read without {@code --ca-cert}.
   */
  static final String CA_CERT_VARIABLE = "DESKRUN_CA_CERT";

  @Option(
      names = "--data-dir",
      paramLabel = "DIR",
      description =
          "Read AccessKey, endpoint and region from DIR/bootstrap-credentials.json. Without it:"
              + " ALIBABA_CLOUD_ACCESS_KEY_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET, DESKRUN_ENDPOINT"
              + " (default 127.0.0.1:8080) and DESKRUN_REGION_ID (default cn-hangzhou), else"
              + " data/bootstrap-credentials.json in the current directory.")
  Path dataDir;

  @Option(
      names = "--ca-cert",
      paramLabel = "FILE",
      description =
          "PEM file of the CA certificates to trust for an https endpoint, such as a private CA"
              + " that signed the server's certificate; it replaces the JDK's default trust store."
              + " Without it: the file named by "
              + CA_CERT_VARIABLE
              + ", if set.")
  Path caCertificate;

  ApiClient client() {
    return client(System.getenv());
  }

  ApiClient client(Map<String, String> environment) {
    Credentials credentials = CredentialsResolver.resolve(dataDir, environment);

    Path file = caCertificateFile(environment);
    if (file == null) {
      return ApiClient.create(credentials);
    }
    String setting = caCertificate != null ? "--ca-cert" : CA_CERT_VARIABLE;
    return ApiClient.create(credentials, sslContext(file, setting), setting + " " + file);
  }

  /**
   * Returns the PEM file of trusted certificates: {@code --ca-cert}, else {@value
   * #CA_CERT_VARIABLE} when set, else null for the JDK's default trust store.
   */
  Path caCertificateFile(Map<String, String> environment) {
    if (caCertificate != null) {
      return caCertificate;
    }
    String value = environment.get(CA_CERT_VARIABLE);
    return value == null || value.isBlank() ? null : Path.of(value.strip());
  }

  /**
   * Returns a TLS context trusting the file's certificates. A bad file is a configuration error.
   */
  private static SSLContext sslContext(Path file, String setting) {
    try {
      return TrustedCertificates.sslContext(file, setting);
    } catch (IllegalArgumentException e) {
      throw new CliException(e.getMessage(), e);
    }
  }
}
