package io.deskrun.server.gateway;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Server certificates for TLS tests, made with the JDK's keytool: self-signed, or signed by a
 * private CA. The deskrun-server test jar carries this class, so the CLI's tests use it too.
 */
public final class TestCertificates {
  /** Subject alternative names 127.0.0.1 and localhost, by which tests reach a local server. */
  public static final String LOOPBACK_NAMES = "ip:127.0.0.1,dns:localhost";

  private static final String PASSWORD = "changeit";

  private TestCertificates() {}

  /**
   * PEM files for a server ({@code tls-cert} and {@code tls-key}) and the PEM file a client must
   * trust to accept that server's certificate.
   */
  public record ServerFiles(Path certificate, Path key, Path trustedCertificate) {
    /** Returns a key store holding the trusted certificate, for clients that take a store. */
    public KeyStore trustStore() throws Exception {
      Certificate trusted;
      try (InputStream in = Files.newInputStream(trustedCertificate)) {
        trusted = CertificateFactory.getInstance("X.509").generateCertificate(in);
      }
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      store.setCertificateEntry("trusted", trusted);
      return store;
    }
  }

  /** Writes a self-signed certificate for {@link #LOOPBACK_NAMES}, which clients trust as is. */
  public static ServerFiles selfSigned(Path dir) throws Exception {
    Files.createDirectories(dir);
    Path store = dir.resolve("server.p12");
    generateKeyPair(store, "server", "CN=127.0.0.1", "-ext", "SAN=" + LOOPBACK_NAMES);

    Path certificate = dir.resolve("server.crt");
    exportCertificate(store, "server", certificate);
    return new ServerFiles(certificate, writeKeyPem(store, dir.resolve("server.key")), certificate);
  }

  /**
   * Writes a private CA and a server certificate it signs for {@code subjectAlternativeNames} (in
   * keytool's form, such as {@link #LOOPBACK_NAMES}) to {@code dir}. Clients trust the CA.
   */
  public static ServerFiles signedByPrivateCa(Path dir, String subjectAlternativeNames)
      throws Exception {
    Files.createDirectories(dir);
    Path caStore = dir.resolve("ca.p12");
    Path serverStore = dir.resolve("server.p12");
    Path request = dir.resolve("server.csr");
    Path serverPem = dir.resolve("server.crt");
    Path caPem = dir.resolve("ca.crt");

    generateKeyPair(caStore, "ca", "CN=deskrun test CA", "-ext", "bc:c");
    generateKeyPair(serverStore, "server", "CN=deskrun test server");
    keytool(
        "-certreq",
        "-alias",
        "server",
        "-keystore",
        serverStore.toString(),
        "-file",
        request.toString());
    keytool(
        "-gencert",
        "-alias",
        "ca",
        "-keystore",
        caStore.toString(),
        "-infile",
        request.toString(),
        "-outfile",
        serverPem.toString(),
        "-rfc",
        "-validity",
        "2",
        "-ext",
        "SAN=" + subjectAlternativeNames,
        "-ext",
        "EKU=serverAuth");
    exportCertificate(caStore, "ca", caPem);
    return new ServerFiles(serverPem, writeKeyPem(serverStore, dir.resolve("server.key")), caPem);
  }

  /** Generates an EC key pair valid for two days under {@code alias} in a new PKCS#12 store. */
  private static void generateKeyPair(Path store, String alias, String name, String... extra)
      throws Exception {
    List<String> arguments =
        new ArrayList<>(
            List.of(
                "-genkeypair",
                "-alias",
                alias,
                "-keyalg",
                "EC",
                "-groupname",
                "secp256r1",
                "-dname",
                name,
                "-validity",
                "2",
                "-storetype",
                "PKCS12",
                "-keystore",
                store.toString()));
    arguments.addAll(List.of(extra));
    keytool(arguments.toArray(String[]::new));
  }

  /** Writes the certificate of {@code alias} as PEM. */
  private static void exportCertificate(Path store, String alias, Path file) throws Exception {
    keytool(
        "-exportcert",
        "-alias",
        alias,
        "-keystore",
        store.toString(),
        "-rfc",
        "-file",
        file.toString());
  }

  private static void keytool(String... arguments) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    command.addAll(List.of(arguments));
    command.addAll(List.of("-storepass", PASSWORD));
    if (arguments[0].equals("-genkeypair")) {
      command.addAll(List.of("-keypass", PASSWORD));
    }
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

    if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
      process.destroyForcibly();
      throw new IllegalStateException(String.join(" ", command) + " failed:\n" + output);
    }
  }

  /** Writes the private key of the {@code server} entry as unencrypted PKCS#8 PEM. */
  private static Path writeKeyPem(Path keyStoreFile, Path file) throws Exception {
    KeyStore keyStore = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(keyStoreFile)) {
      keyStore.load(in, PASSWORD.toCharArray());
    }
    PrivateKey key = (PrivateKey) keyStore.getKey("server", PASSWORD.toCharArray());
    return writePem(file, "PRIVATE KEY", key.getEncoded());
  }

  private static Path writePem(Path file, String label, byte[] der) throws IOException {
    String body =
        Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
    return Files.writeString(
        file, "-----BEGIN " + label + "-----\n" + body + "\n-----END " + label + "-----\n");
  }
}
