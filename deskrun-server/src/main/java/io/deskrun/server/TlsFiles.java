package io.deskrun.server;

import io.helidon.common.tls.Tls;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the PEM files of the {@code tls-cert} and {@code tls-key} settings into Helidon's TLS
 * settings. The key must be unencrypted PKCS#8 ({@code BEGIN PRIVATE KEY}) with an RSA, EC or EdDSA
 * key; a failure names the file and what was wrong with it.
 */
final class TlsFiles {
  private static final Pattern PEM_BLOCK =
      Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]*)-----END \\1-----");
  private static final List<String> KEY_ALGORITHMS = List.of("RSA", "EC", "EdDSA");

  private TlsFiles() {}

  /** Returns the server TLS settings built from the two PEM files. */
  static Tls load(Path certificateFile, Path keyFile) {
    List<X509Certificate> chain = readCertificates(certificateFile);
    PrivateKey key = readPrivateKey(keyFile);
    requireMatchingKey(key, chain.getFirst(), certificateFile, keyFile);
    return Tls.builder().privateKey(key).privateKeyCertChain(chain).build();
  }

  /**
   * Checks that the key belongs to the first certificate by signing a test text with the key and
   * verifying it with the certificate's public key. Without the check the server would start and
   * every TLS handshake would fail.
   */
  private static void requireMatchingKey(
      PrivateKey key, X509Certificate certificate, Path certificateFile, Path keyFile) {
    String algorithm =
        switch (key.getAlgorithm()) {
          case "RSA" -> "SHA256withRSA";
          case "EC" -> "SHA256withECDSA";
          default -> key.getAlgorithm();
        };
    byte[] text = "deskrun tls key check".getBytes(StandardCharsets.US_ASCII);
    try {
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(text);
      byte[] signature = signer.sign();

      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(certificate.getPublicKey());
      verifier.update(text);
      if (verifier.verify(signature)) {
        return;
      }
    } catch (GeneralSecurityException e) {
      // A key of another algorithm than the certificate's; reported below.
    }
    throw new IllegalArgumentException(
        "Settings tls-cert and tls-key: the key in "
            + keyFile
            + " does not belong to the first certificate in "
            + certificateFile
            + "; set tls-key to the private key of that certificate.");
  }

  private static List<X509Certificate> readCertificates(Path file) {
    List<X509Certificate> chain = new ArrayList<>();
    try {
      CertificateFactory factory = CertificateFactory.getInstance("X.509");
      for (byte[] der : blocks(file, "CERTIFICATE")) {
        chain.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(der)));
      }
    } catch (CertificateException e) {
      throw new IllegalArgumentException(
          "Setting tls-cert: "
              + file
              + " contains a certificate that cannot be read: "
              + e.getMessage(),
          e);
    }
    if (chain.isEmpty()) {
      throw new IllegalArgumentException(
          "Setting tls-cert: " + file + " contains no PEM block BEGIN CERTIFICATE.");
    }
    return chain;
  }

  private static PrivateKey readPrivateKey(Path file) {
    List<byte[]> keys = blocks(file, "PRIVATE KEY");
    if (keys.size() != 1) {
      throw new IllegalArgumentException(
          "Setting tls-key: "
              + file
              + " must contain exactly one unencrypted PKCS#8 key (BEGIN PRIVATE KEY), found "
              + keys.size()
              + "; convert other forms with: openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pem");
    }
    PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(keys.getFirst());
    for (String algorithm : KEY_ALGORITHMS) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(spec);
      } catch (GeneralSecurityException e) {
        // Not this algorithm; try the next one.
      }
    }
    throw new IllegalArgumentException(
        "Setting tls-key: "
            + file
            + " contains a key that is not RSA, EC or EdDSA, or is damaged.");
  }

  /** Returns the decoded bodies of the PEM blocks with this label, in file order. */
  private static List<byte[]> blocks(Path file, String label) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read the TLS file " + file, e);
    }
    List<byte[]> blocks = new ArrayList<>();
    Matcher matcher = PEM_BLOCK.matcher(text);
    while (matcher.find()) {
      if (matcher.group(1).equals(label)) {
        blocks.add(Base64.getMimeDecoder().decode(matcher.group(2)));
      }
    }
    return blocks;
  }
}
