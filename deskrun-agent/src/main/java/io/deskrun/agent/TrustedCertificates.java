package io.deskrun.agent;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Certificates to trust for HTTPS in place of the JDK's default trust store, as {@code curl
 * --cacert} does, such as a private CA that signed the server's certificate. The agent reads them
 * from {@link AgentConfig#trustedCertificate}, the client commands of the CLI from {@code
 * --ca-cert}.
 *
 * <p>The file holds PEM blocks; text between them is ignored, and blocks other than {@code
 * CERTIFICATE} (such as a private key) are skipped. A file without any {@code -----BEGIN} line is
 * read as DER.
 */
public final class TrustedCertificates {
  /** Maximum file size. Debian 12's bundle of all public CAs is about 220 KB. */
  static final int MAX_FILE_BYTES = 8 * 1024 * 1024;

  private static final Pattern BEGIN = Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----");
  private static final String CERTIFICATE = "CERTIFICATE";
  private static final String EXPECTED =
      "expected PEM blocks starting with -----BEGIN CERTIFICATE-----";

  private TrustedCertificates() {}

  /**
   * Reads every certificate of a PEM (or DER) file.
   *
   * @param file the file to read
   * @param setting the name of the setting that named the file, such as {@code --ca-cert}; every
   *     error message starts with it and the file
   * @throws IllegalArgumentException when the file cannot be read, is not valid PEM, or contains no
   *     certificate
   */
  public static List<X509Certificate> read(Path file, String setting) {
    String source = setting + " " + file;
    byte[] content = readBytes(file, source);
    String text = new String(content, StandardCharsets.ISO_8859_1);

    List<X509Certificate> certificates = new ArrayList<>();
    Set<String> otherBlocks = new TreeSet<>();
    if (text.contains("-----BEGIN ")) {
      readPemBlocks(text, source, certificates, otherBlocks);
    } else {
      certificates.addAll(readDer(content));
    }

    if (certificates.isEmpty()) {
      String found = otherBlocks.isEmpty() ? "" : " (it has only " + otherBlocks + " blocks)";
      throw new IllegalArgumentException(source + " contains no certificate; " + EXPECTED + found);
    }
    return certificates;
  }

  /**
   * Returns a TLS context that trusts exactly the certificates of {@code file}.
   *
   * @throws IllegalArgumentException as {@link #read} does
   */
  public static SSLContext sslContext(Path file, String setting) {
    List<X509Certificate> certificates = read(file, setting);
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
          "Cannot build a TLS context trusting " + setting + " " + file + ": " + e.getMessage(), e);
    }
  }

  private static byte[] readBytes(Path file, String source) {
    if (Files.isDirectory(file)) {
      throw new IllegalArgumentException(
          source + " is a directory; expected a PEM file of certificates");
    }

    byte[] content;
    try (InputStream in = Files.newInputStream(file)) {
      content = in.readNBytes(MAX_FILE_BYTES + 1);
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException(
          source + " does not exist; expected a PEM file of certificates", e);
    } catch (AccessDeniedException e) {
      throw new IllegalArgumentException(source + " cannot be read: permission denied", e);
    } catch (IOException e) {
      throw new IllegalArgumentException(source + " cannot be read: " + e.getMessage(), e);
    }

    if (content.length > MAX_FILE_BYTES) {
      throw new IllegalArgumentException(
          source + " is larger than " + MAX_FILE_BYTES / (1024 * 1024) + " MiB; " + EXPECTED);
    }
    return content;
  }

  /**
   * Adds the certificate of each {@code CERTIFICATE} block to {@code certificates} and the label of
   * every other block to {@code otherBlocks}.
   */
  private static void readPemBlocks(
      String text, String source, List<X509Certificate> certificates, Set<String> otherBlocks) {
    List<String> lines = text.lines().map(String::strip).toList();
    int index = 0;
    while (index < lines.size()) {
      Matcher begin = BEGIN.matcher(lines.get(index));
      if (!begin.matches()) {
        index++;
        continue;
      }

      String label = begin.group(1);
      int beginLine = index + 1;
      String end = "-----END " + label + "-----";
      StringBuilder base64 = new StringBuilder();
      index++;
      while (index < lines.size() && !lines.get(index).equals(end)) {
        if (lines.get(index).startsWith("-----")) {
          throw malformed(
              source,
              "the "
                  + label
                  + " block at line "
                  + beginLine
                  + " has no "
                  + end
                  + " line before line "
                  + (index + 1));
        }
        base64.append(lines.get(index));
        index++;
      }
      if (index == lines.size()) {
        throw malformed(
            source, "the " + label + " block at line " + beginLine + " has no " + end + " line");
      }
      index++;

      if (label.equals(CERTIFICATE)) {
        certificates.add(certificate(base64.toString(), source, beginLine));
      } else {
        otherBlocks.add(label);
      }
    }
  }

  private static X509Certificate certificate(String base64, String source, int line) {
    byte[] der;
    try {
      der = Base64.getDecoder().decode(base64);
    } catch (IllegalArgumentException e) {
      throw malformed(
          source, "the certificate at line " + line + " is not valid Base64: " + e.getMessage());
    }

    try {
      return (X509Certificate)
          CertificateFactory.getInstance("X.509")
              .generateCertificate(new ByteArrayInputStream(der));
    } catch (CertificateException e) {
      throw malformed(
          source,
          "the certificate at line "
              + line
              + " is not a valid X.509 certificate: "
              + e.getMessage());
    }
  }

  /** Returns the certificates of a DER file, or none when it contains no valid certificate. */
  private static List<X509Certificate> readDer(byte[] content) {
    try {
      List<X509Certificate> certificates = new ArrayList<>();
      for (Certificate certificate :
          CertificateFactory.getInstance("X.509")
              .generateCertificates(new ByteArrayInputStream(content))) {
        certificates.add((X509Certificate) certificate);
      }
      return certificates;
    } catch (CertificateException e) {
      return List.of();
    }
  }

  private static IllegalArgumentException malformed(String source, String problem) {
    return new IllegalArgumentException(source + " is not a valid PEM file: " + problem);
  }
}
