package io.deskrun.agent;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The certificates the agent trusts for HTTPS when {@link AgentConfig#trustedCertificate} is set,
 * such as a private CA that signed the server's certificate. They replace the JDK's default trust
 * store, as {@code curl --cacert} does.
 */
final class TrustedCertificates {
  private TrustedCertificates() {}

  /**
   * Reads every certificate of a PEM (or DER) file.
   *
   * @throws IllegalArgumentException when the file cannot be read or contains no certificate
   */
  static List<Certificate> read(Path file) {
    List<Certificate> certificates;
    try (InputStream in = Files.newInputStream(file)) {
      certificates =
          new ArrayList<>(CertificateFactory.getInstance("X.509").generateCertificates(in));
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "trustedCertificate " + file + " cannot be read: " + e.getMessage(), e);
    } catch (CertificateException e) {
      throw new IllegalArgumentException(
          "trustedCertificate "
              + file
              + " is not an X.509 certificate file; expected PEM blocks starting with"
              + " -----BEGIN CERTIFICATE-----: "
              + e.getMessage(),
          e);
    }

    if (certificates.isEmpty()) {
      throw new IllegalArgumentException(
          "trustedCertificate "
              + file
              + " contains no certificate; expected PEM blocks starting with"
              + " -----BEGIN CERTIFICATE-----");
    }
    return certificates;
  }

  /** Returns a TLS context that trusts exactly the certificates of {@code file}. */
  static SSLContext sslContext(Path file) {
    List<Certificate> certificates = read(file);
    try {
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      for (int i = 0; i < certificates.size(); i++) {
        store.setCertificateEntry("trusted-" + i, certificates.get(i));
      }

      TrustManagerFactory trust =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      trust.init(store);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, trust.getTrustManagers(), null);
      return context;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException(
          "Cannot build a TLS context trusting " + file + ": " + e.getMessage(), e);
    }
  }
}
