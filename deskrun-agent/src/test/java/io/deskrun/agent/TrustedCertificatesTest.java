package io.deskrun.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/** Reads files written as users write them, with certificates taken from the JDK's own CAs. */
class TrustedCertificatesTest {
  private static final String SETTING = "--ca-cert";

  private static X509Certificate first;
  private static X509Certificate second;

  @TempDir Path dir;

  @BeforeAll
  static void loadJdkCertificates() throws Exception {
    Path cacerts = Path.of(System.getProperty("java.home"), "lib", "security", "cacerts");
    KeyStore store = KeyStore.getInstance(cacerts.toFile(), (char[]) null);
    List<String> aliases = new ArrayList<>(Collections.list(store.aliases()));
    Collections.sort(aliases);
    first = (X509Certificate) store.getCertificate(aliases.get(0));
    second = (X509Certificate) store.getCertificate(aliases.get(1));
  }

  private static String pem(String label, byte[] der) {
    String body =
        Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
    return "-----BEGIN " + label + "-----\n" + body + "\n-----END " + label + "-----\n";
  }

  private static String pem(X509Certificate certificate) throws Exception {
    return pem("CERTIFICATE", certificate.getEncoded());
  }

  private Path write(String content) throws Exception {
    return Files.writeString(dir.resolve("ca.pem"), content, StandardCharsets.US_ASCII);
  }

  @Test
  void read_twoCertificatesWithTextAround_readsBoth() throws Exception {
    Path file =
        write("subject=CN = first\n" + pem(first) + "\r\n# second\n" + pem(second) + "trailer\n");

    List<X509Certificate> certificates = TrustedCertificates.read(file, SETTING);

    assertThat(certificates).containsExactly(first, second);
  }

  @Test
  void read_privateKeyBlockBesideCertificate_skipsKey() throws Exception {
    Path file = write(pem("PRIVATE KEY", new byte[] {1, 2, 3}) + pem(first));

    assertThat(TrustedCertificates.read(file, SETTING)).containsExactly(first);
  }

  @Test
  void read_derFile_readsCertificate() throws Exception {
    Path file = Files.write(dir.resolve("ca.der"), first.getEncoded());

    assertThat(TrustedCertificates.read(file, SETTING)).containsExactly(first);
  }

  @Test
  void read_missingFile_namesSettingAndFile() {
    Path missing = dir.resolve("missing.pem");

    assertThatThrownBy(() -> TrustedCertificates.read(missing, SETTING))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "--ca-cert " + missing + " does not exist; expected a PEM file of certificates");
  }

  @Test
  void read_directory_rejected() {
    assertThatThrownBy(() -> TrustedCertificates.read(dir, SETTING))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("--ca-cert " + dir + " is a directory; expected a PEM file of certificates");
  }

  @Test
  @DisabledOnOs(OS.WINDOWS)
  void read_unreadableFile_rejected() throws Exception {
    Path file = write(pem(first));
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("---------"));
    assumeThat(Files.isReadable(file)).as("not running as root").isFalse();

    assertThatThrownBy(() -> TrustedCertificates.read(file, SETTING))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("--ca-cert " + file + " cannot be read: permission denied");
  }

  @Test
  void read_emptyFile_noCertificate() throws Exception {
    Path file = write("");

    assertThatThrownBy(() -> TrustedCertificates.read(file, SETTING))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "--ca-cert "
                + file
                + " contains no certificate; expected PEM blocks starting with"
                + " -----BEGIN CERTIFICATE-----");
  }

  @Test
  void read_plainText_noCertificate() throws Exception {
    Path file = write("not a certificate\n");

    assertThatThrownBy(() -> TrustedCertificates.read(file, SETTING))
        .hasMessageContaining(" contains no certificate; ");
  }

  @Test
  void read_onlyPrivateKey_saysWhatItFound() throws Exception {
    Path file = write(pem("PRIVATE KEY", new byte[] {1, 2, 3}));

    assertThatThrownBy(() -> TrustedCertificates.read(file, SETTING))
        .hasMessageContaining("--ca-cert " + file + " contains no certificate; ")
        .hasMessageEndingWith("(it has only [PRIVATE KEY] blocks)");
  }

  @Test
  void read_truncatedSecondCertificate_rejected() throws Exception {
    String secondPem = pem(second);
    Path file = write(pem(first) + secondPem.substring(0, secondPem.length() / 2));

    assertThatThrownBy(() -> TrustedCertificates.read(file, SETTING))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "--ca-cert "
                + file
                + " is not a valid PEM file: the CERTIFICATE block at line "
                + (pem(first).lines().count() + 1)
                + " has no -----END CERTIFICATE----- line");
  }

  @Test
  void read_blockWithoutEndBeforeNextBlock_rejected() throws Exception {
    String firstPem = pem(first);
    String withoutEnd = firstPem.substring(0, firstPem.indexOf("-----END"));
    Path file = write(withoutEnd + pem(second));

    assertThatThrownBy(() -> TrustedCertificates.read(file, SETTING))
        .hasMessageContaining(" is not a valid PEM file: the CERTIFICATE block at line 1 has no")
        .hasMessageContaining(" line before line " + (withoutEnd.lines().count() + 1));
  }

  @Test
  void read_invalidBase64_rejected() throws Exception {
    Path file = write("-----BEGIN CERTIFICATE-----\nMIIB!!!!\n-----END CERTIFICATE-----\n");

    assertThatThrownBy(() -> TrustedCertificates.read(file, SETTING))
        .hasMessageStartingWith(
            "--ca-cert "
                + file
                + " is not a valid PEM file: the certificate at line 1 is not"
                + " valid Base64: ");
  }

  @Test
  void read_corruptCertificate_rejected() throws Exception {
    byte[] der = first.getEncoded();
    Path file = write(pem("CERTIFICATE", Arrays.copyOf(der, der.length / 2)));

    assertThatThrownBy(() -> TrustedCertificates.read(file, SETTING))
        .hasMessageStartingWith(
            "--ca-cert "
                + file
                + " is not a valid PEM file: the certificate at line 1 is not a"
                + " valid X.509 certificate: ");
  }

  @Test
  void read_hugeFile_rejectedWithoutReadingAll() throws Exception {
    Path file = dir.resolve("huge.pem");
    Files.write(file, new byte[TrustedCertificates.MAX_FILE_BYTES + 1]);

    assertThatThrownBy(() -> TrustedCertificates.read(file, SETTING))
        .hasMessageStartingWith("--ca-cert " + file + " is larger than 8 MiB; ");
  }
}
