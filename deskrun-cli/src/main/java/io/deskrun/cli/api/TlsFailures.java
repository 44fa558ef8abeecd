package io.deskrun.cli.api;

import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.security.cert.PKIXReason;
import javax.net.ssl.SSLException;

/** Explains a failed TLS handshake in words, instead of the JDK's exception text. */
final class TlsFailures {
  private TlsFailures() {}

  /**
   * Returns what went wrong when {@code failure} is a TLS failure, else null.
   *
   * @param endpoint the endpoint as the user gave it
   * @param trusted names the certificates the client trusts, such as {@code --ca-cert ca.crt}, or
   *     null for the JDK's default trust store
   */
  static String describe(Throwable failure, String endpoint, String trusted) {
    SSLException tls = find(failure, SSLException.class);
    if (tls == null) {
      return null;
    }

    if (isUntrusted(failure)) {
      return "The certificate of "
          + endpoint
          + " is not trusted: it does not chain up to a certificate in "
          + (trusted == null
              ? "the JDK's default trust store. If a private CA signed it, pass that CA's PEM file"
                  + " with --ca-cert FILE or set DESKRUN_CA_CERT."
              : trusted + ". Pass the PEM file of the CA that signed the server's certificate.");
    }

    // A chain was found, but the certificate is invalid for another reason, such as a host name
    // that does not match or an expired date.
    CertificateException rejected = find(failure, CertificateException.class);
    if (rejected != null) {
      return "The certificate of " + endpoint + " was rejected: " + rejected.getMessage();
    }
    return "TLS handshake with " + endpoint + " failed: " + tls.getMessage();
  }

  /**
   * Returns whether the JDK found no chain from the server's certificate to a trusted one. Either
   * no trusted certificate has the issuer's name, or the one with that name did not sign it.
   */
  private static boolean isUntrusted(Throwable failure) {
    CertPathValidatorException validation = find(failure, CertPathValidatorException.class);
    return find(failure, CertPathBuilderException.class) != null
        || (validation != null && validation.getReason() == PKIXReason.NO_TRUST_ANCHOR);
  }

  private static <T extends Throwable> T find(Throwable failure, Class<T> type) {
    // Bounded, in case a chain of causes loops.
    Throwable cause = failure;
    for (int depth = 0; cause != null && depth < 20; depth++, cause = cause.getCause()) {
      if (type.isInstance(cause)) {
        return type.cast(cause);
      }
    }
    return null;
  }
}
