package io.deskrun.cli;

import io.deskrun.agent.TrustedCertificates;
import io.deskrun.cli.api.ApiClient;
import io.deskrun.cli.api.Credentials;
import io.deskrun.cli.api.CredentialsResolver;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * Options shared by the commands that call the API, where their credentials come from, and which
 * certificates they trust for an https endpoint.
 */
final class ClientOptions {
  /**
   * Environment variable with the PEM file of trusted certificates, read without {@code --ca-cert}.
   */
  static final String CA_CERT_VARIABLE = "DESKRUN_CA_CERT";

  private static final Pattern SHELL_SAFE = Pattern.compile("[A-Za-z0-9_./:=@%+,-]+");

  @Spec(Spec.Target.MIXEE)
  CommandSpec mixee;

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
    checkCaCertificateUse(credentials);

    // Only https uses the file, so a DESKRUN_CA_CERT set for other servers is not even read.
    boolean https = credentials.endpointUri().getScheme().equals("https");
    Path file = https ? caCertificateFile(environment) : null;
    if (file == null) {
      return ApiClient.create(credentials);
    }
    String setting = caCertificate != null ? "--ca-cert" : CA_CERT_VARIABLE;
    return ApiClient.create(credentials, sslContext(file, setting), setting + " " + file);
  }

  /**
   * Rejects {@code --ca-cert} with a plain HTTP endpoint as a usage error, because the option would
   * have no effect and the user most likely meant an https endpoint.
   */
  private void checkCaCertificateUse(Credentials credentials) {
    if (caCertificate == null || !credentials.endpointUri().getScheme().equals("http")) {
      return;
    }
    throw new ParameterException(
        mixee.commandLine(),
        "--ca-cert "
            + caCertificate
            + " applies only to an https endpoint, but the endpoint is "
            + credentials.endpoint()
            + (credentials.endpoint().contains("://") ? "" : ", which means http")
            + "; drop --ca-cert, or use an https:// endpoint.");
  }

  /**
   * Returns the options of this group that the user gave, as they go on a printed follow-up
   * command: {@code --data-dir DIR} and {@code --ca-cert FILE}, each with a leading space, quoted
   * for a POSIX shell where needed. An endpoint set through the environment needs nothing here.
   */
  String hintOptions() {
    StringBuilder options = new StringBuilder();
    if (dataDir != null) {
      options.append(" --data-dir ").append(shellWord(dataDir.toString()));
    }
    if (caCertificate != null) {
      options.append(" --ca-cert ").append(shellWord(caCertificate.toString()));
    }
    return options.toString();
  }

  /** Returns the text as one POSIX shell word: as is when safe, else in single quotes. */
  static String shellWord(String text) {
    if (!text.isEmpty() && SHELL_SAFE.matcher(text).matches()) {
      return text;
    }
    return "'" + text.replace("'", "'\\''") + "'";
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
