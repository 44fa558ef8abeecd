package io.deskrun.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.deskrun.agent.Agent;
import io.deskrun.agent.AgentConfig;
import io.deskrun.agent.TrustedCertificates;
import io.deskrun.cli.api.ApiClient;
import io.deskrun.cli.api.Credentials;
import io.deskrun.cli.api.CredentialsResolver;
import io.deskrun.server.DeskrunServer;
import io.deskrun.server.ServerConfig;
import io.deskrun.server.gateway.TestCertificates;
import io.deskrun.server.gateway.TestCertificates.ServerFiles;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the client commands as separate processes, with their credentials in the environment as a
 * user sets them, against the real server serving HTTPS with a certificate a private CA signed, and
 * one real agent that trusts that CA.
 */
@DisabledOnOs(OS.WINDOWS)
class CliTlsTest {
  private static final long TIME_LIMIT_SECONDS = 120;

  @TempDir static Path dir;

  private static ServerFiles tls;
  private static DeskrunServer server;
  private static Credentials credentials;
  private static Agent agent;

  /** A second server, whose certificate another CA of the same name signed for another host. */
  private static ServerFiles otherNameTls;

  private static DeskrunServer otherNameServer;

  record Result(int exitCode, String stdout, String stderr) {}

  @BeforeAll
  static void start() throws Exception {
    tls = TestCertificates.signedByPrivateCa(dir.resolve("tls"), TestCertificates.LOOPBACK_NAMES);
    server = startServer("server", tls);
    credentials = httpsCredentials(server);

    ApiClient api =
        ApiClient.create(
            credentials,
            TrustedCertificates.sslContext(tls.trustedCertificate(), "test"),
            "the test CA");
    var activation = api.call("CreateActivation", Map.of("InstanceCount", "1"));
    agent =
        Agent.start(
            AgentConfig.builder()
                .server(URI.create(credentials.endpoint()))
                .stateDir(dir.resolve("agent"))
                .activation(
                    activation.path("ActivationId").asText(),
                    activation.path("ActivationCode").asText())
                .trustedCertificate(tls.trustedCertificate())
                .build());

    otherNameTls =
        TestCertificates.signedByPrivateCa(dir.resolve("other-tls"), "dns:deskrun.invalid");
    otherNameServer = startServer("other-server", otherNameTls);
  }

  private static DeskrunServer startServer(String name, ServerFiles files) {
    return DeskrunServer.start(
        ServerConfig.forDataDir(dir.resolve(name)).withTls(files.certificate(), files.key()));
  }

  /** Returns the bootstrap AccessKey with the endpoint as an https URL. */
  private static Credentials httpsCredentials(DeskrunServer target) {
    Credentials bootstrap =
        CredentialsResolver.fromBootstrapFile(target.bootstrapCredentialsFile());
    return new Credentials(
        bootstrap.accessKeyId(),
        bootstrap.accessKeySecret(),
        "https://" + target.endpoint(),
        bootstrap.regionId());
  }

  @AfterAll
  static void stop() {
    if (agent != null) {
      agent.close();
    }
    if (server != null) {
      server.close();
    }
    if (otherNameServer != null) {
      otherNameServer.close();
    }
  }

  /** Runs {@code deskrun args} in a new JVM with the credentials and {@code extra} set. */
  private static Result deskrun(Credentials target, Map<String, String> extra, String... args)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    // Small and quick to start: the machine running the suite may have only two cores.
    command.addAll(List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()));
    command.addAll(List.of(args));

    Path workDir = Files.createTempDirectory(dir, "cli");
    Path stdout = workDir.resolve("stdout.txt");
    Path stderr = workDir.resolve("stderr.txt");
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .directory(workDir.toFile())
            .redirectOutput(stdout.toFile())
            .redirectError(stderr.toFile());
    Map<String, String> environment = builder.environment();
    environment.keySet().removeIf(n -> n.startsWith("DESKRUN_") || n.startsWith("ALIBABA_"));
    environment.put(CredentialsResolver.ACCESS_KEY_ID, target.accessKeyId());
    environment.put(CredentialsResolver.ACCESS_KEY_SECRET, target.accessKeySecret());
    environment.put(CredentialsResolver.ENDPOINT, target.endpoint());
    environment.putAll(extra);

    Process process = builder.start();
    process.getOutputStream().close();
    if (!process.waitFor(TIME_LIMIT_SECONDS, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      throw new AssertionError(command + " did not finish within " + TIME_LIMIT_SECONDS + " s");
    }
    return new Result(
        process.exitValue(),
        Files.readString(stdout, StandardCharsets.UTF_8),
        Files.readString(stderr, StandardCharsets.UTF_8));
  }

  private static Result deskrun(Map<String, String> extra, String... args)
      throws IOException, InterruptedException {
    return deskrun(credentials, extra, args);
  }

  private static void assertConfigurationError(Result result, String message) {
    assertThat(result.exitCode()).as("stderr: %s", result.stderr()).isEqualTo(3);
    assertThat(result.stderr()).isEqualTo("Error: " + message + System.lineSeparator());
    assertThat(result.stdout()).isEmpty();
  }

  @Test
  void runWait_caCertOption_runsScript() throws Exception {
    Result result =
        deskrun(
            Map.of(),
            "run",
            "--desktop",
            agent.desktopId(),
            "--command",
            "echo over-tls",
            "--wait",
            "--ca-cert",
            tls.trustedCertificate().toString());

    assertThat(result.exitCode()).as("stderr: %s", result.stderr()).isZero();
    assertThat(result.stdout()).contains("Success, exit code 0").contains("over-tls");
  }

  @Test
  void desktops_httpsDataDir_listsAgent() throws Exception {
    Result result =
        deskrun(
            Map.of(),
            "desktops",
            "--data-dir",
            dir.resolve("server").toString(),
            "--ca-cert",
            tls.trustedCertificate().toString());

    assertThat(result.exitCode()).as("stderr: %s", result.stderr()).isZero();
    assertThat(result.stdout()).contains(agent.desktopId());
  }

  @Test
  void desktops_caCertEnvironment_listsAgent() throws Exception {
    Result result =
        deskrun(Map.of("DESKRUN_CA_CERT", tls.trustedCertificate().toString()), "desktops");

    assertThat(result.exitCode()).as("stderr: %s", result.stderr()).isZero();
    assertThat(result.stdout()).contains(agent.desktopId()).contains("Online");
  }

  @Test
  void desktops_optionAndEnvironment_optionWins() throws Exception {
    Path missing = dir.resolve("missing.crt");
    Result result =
        deskrun(
            Map.of("DESKRUN_CA_CERT", missing.toString()),
            "desktops",
            "--ca-cert",
            tls.trustedCertificate().toString());

    assertThat(result.exitCode()).as("stderr: %s", result.stderr()).isZero();
    assertThat(result.stdout()).contains(agent.desktopId());
  }

  @Test
  void activationCreate_caCert_agentCommandHasIt() throws Exception {
    String ca = tls.trustedCertificate().toString();

    Result result = deskrun(Map.of(), "activation", "create", "--ca-cert", ca);

    assertThat(result.exitCode()).as("stderr: %s", result.stderr()).isZero();
    assertThat(result.stdout())
        .contains("deskrun agent --server " + credentials.endpoint() + " --activation-id ")
        .contains(" --ca-cert " + ca + "\n");
  }

  @Test
  void desktops_httpToHttpsServer_namesHttps() throws Exception {
    for (String endpoint : List.of("http://" + server.endpoint(), server.endpoint())) {
      Credentials plain =
          new Credentials(
              credentials.accessKeyId(),
              credentials.accessKeySecret(),
              endpoint,
              credentials.regionId());

      Result result = deskrun(plain, Map.of(), "desktops");

      assertConfigurationError(
          result,
          "The server at "
              + endpoint
              + " speaks HTTPS, not plain HTTP; use https://"
              + server.endpoint()
              + " as the endpoint, with --ca-cert FILE if a private CA signed its certificate.");
    }
  }

  @Test
  void stop_caCertWithHttpEndpoint_usageError() throws Exception {
    Credentials plain =
        new Credentials(
            credentials.accessKeyId(),
            credentials.accessKeySecret(),
            "http://" + server.endpoint(),
            credentials.regionId());
    String ca = tls.trustedCertificate().toString();

    Result result = deskrun(plain, Map.of(), "stop", "t-1", "--ca-cert", ca);

    assertThat(result.exitCode()).as("stderr: %s", result.stderr()).isEqualTo(2);
    assertThat(result.stderr())
        .startsWith(
            "Error: --ca-cert "
                + ca
                + " applies only to an https endpoint, but the endpoint is http://"
                + server.endpoint()
                + "; drop --ca-cert, or use an https:// endpoint.");
    assertThat(result.stdout()).isEmpty();
  }

  @Test
  void desktops_noCaCert_saysCertificateNotTrusted() throws Exception {
    Result result = deskrun(Map.of(), "desktops");

    assertConfigurationError(
        result,
        "The certificate of "
            + credentials.endpoint()
            + " is not trusted: it does not chain up to a certificate in the JDK's default trust"
            + " store. If a private CA signed it, pass that CA's PEM file with --ca-cert FILE or"
            + " set DESKRUN_CA_CERT.");
  }

  @Test
  void desktops_otherCa_notTrusted() throws Exception {
    Path otherCa = otherNameTls.trustedCertificate();

    Result result = deskrun(Map.of("DESKRUN_CA_CERT", otherCa.toString()), "desktops");

    assertConfigurationError(
        result,
        "The certificate of "
            + credentials.endpoint()
            + " is not trusted: it does not chain up to a certificate in DESKRUN_CA_CERT "
            + otherCa
            + ". Pass the PEM file of the CA that signed the server's certificate.");
  }

  @Test
  void desktops_certificateForAnotherName_saysRejected() throws Exception {
    Credentials otherName = httpsCredentials(otherNameServer);

    Result result =
        deskrun(
            otherName,
            Map.of(),
            "desktops",
            "--ca-cert",
            otherNameTls.trustedCertificate().toString());

    assertConfigurationError(
        result,
        "The certificate of "
            + otherName.endpoint()
            + " was rejected: No subject alternative names matching IP address 127.0.0.1 found");
  }

  @Test
  void desktops_caCertMissing_namesOptionAndFile() throws Exception {
    Path missing = dir.resolve("no-such-ca.crt");

    Result result = deskrun(Map.of(), "desktops", "--ca-cert", missing.toString());

    assertConfigurationError(
        result, "--ca-cert " + missing + " does not exist; expected a PEM file of certificates");
  }

  @Test
  void desktops_environmentFileMissing_namesVariableAndFile() throws Exception {
    Path missing = dir.resolve("no-such-ca.crt");

    Result result = deskrun(Map.of("DESKRUN_CA_CERT", missing.toString()), "desktops");

    assertConfigurationError(
        result,
        "DESKRUN_CA_CERT " + missing + " does not exist; expected a PEM file of certificates");
  }

  @Test
  void desktops_keyFile_noCertificate() throws Exception {
    Result result = deskrun(Map.of(), "desktops", "--ca-cert", tls.key().toString());

    assertConfigurationError(
        result,
        "--ca-cert "
            + tls.key()
            + " contains no certificate; expected PEM blocks starting with"
            + " -----BEGIN CERTIFICATE----- (it has only [PRIVATE KEY] blocks)");
  }

  @Test
  void desktops_caCertTruncated_saysMalformedPem() throws Exception {
    String pem = Files.readString(tls.trustedCertificate(), StandardCharsets.US_ASCII);
    Path truncated =
        Files.writeString(dir.resolve("truncated.crt"), pem.substring(0, pem.length() / 2));

    Result result = deskrun(Map.of(), "desktops", "--ca-cert", truncated.toString());

    assertConfigurationError(
        result,
        "--ca-cert "
            + truncated
            + " is not a valid PEM file: the CERTIFICATE block at line 1 has no"
            + " -----END CERTIFICATE----- line");
  }

  @Test
  void desktops_blankEnvironment_usesJdkTrustStore() throws Exception {
    Result result = deskrun(Map.of("DESKRUN_CA_CERT", " "), "desktops");

    assertThat(result.exitCode()).isEqualTo(3);
    assertThat(result.stderr()).contains("the JDK's default trust store");
  }
}
