package io.deskrun.cli.api;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateException;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;

/**
 * Finds out whether a failed call went to a server that speaks the other protocol: plain HTTP to an
 * HTTPS server, or HTTPS to a plain HTTP server. The JDK 25 HttpClient reports both with messages
 * such as "Invalid status line" or "Remote host terminated the handshake", which do not name the
 * cause.
 */
final class ProtocolMismatch {
  private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(5);

  private ProtocolMismatch() {}

  /**
   * Returns a message naming the endpoint and the protocol its server speaks when a probe finds the
   * other protocol there, else null. Each probe opens one new connection and sends no credentials.
   *
   * @param endpoint the endpoint as the user gave it
   * @param uri the endpoint's base URI, whose scheme is the protocol the call used
   */
  static String describe(String endpoint, URI uri) {
    if (uri.getScheme().equals("https")) {
      return speaksPlainHttp(uri)
          ? "The server at "
              + endpoint
              + " speaks plain HTTP, not HTTPS; use http://"
              + uri.getRawAuthority()
              + " as the endpoint, or start the server with --tls-cert and --tls-key."
          : null;
    }
    return speaksTls(uri)
        ? "The server at "
            + endpoint
            + " speaks HTTPS, not plain HTTP; use https://"
            + uri.getRawAuthority()
            + " as the endpoint, with --ca-cert FILE if a private CA signed its certificate."
        : null;
  }

  /** Returns whether a plain HTTP request to the endpoint gets an HTTP response of any status. */
  private static boolean speaksPlainHttp(URI uri) {
    URI plain = URI.create("http://" + uri.getRawAuthority() + "/");
    HttpClient http = HttpClient.newBuilder().connectTimeout(PROBE_TIMEOUT).build();
    HttpRequest request = HttpRequest.newBuilder(plain).timeout(PROBE_TIMEOUT).GET().build();
    try {
      http.send(request, HttpResponse.BodyHandlers.discarding());
      return true;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } finally {
      http.close();
    }
  }

  /**
   * Returns whether the endpoint completes a TLS handshake, or gets as far as sending a certificate
   * that the JDK's default trust store rejects.
   */
  private static boolean speaksTls(URI uri) {
    int port = uri.getPort() == -1 ? 80 : uri.getPort();
    try (Socket plain = new Socket()) {
      plain.connect(new InetSocketAddress(uri.getHost(), port), (int) PROBE_TIMEOUT.toMillis());
      plain.setSoTimeout((int) PROBE_TIMEOUT.toMillis());
      SSLContext context = SSLContext.getDefault();
      try (SSLSocket tls =
          (SSLSocket) context.getSocketFactory().createSocket(plain, uri.getHost(), port, false)) {
        tls.startHandshake();
        return true;
      }
    } catch (SSLException e) {
      return hasCause(e, CertificateException.class);
    } catch (IOException | NoSuchAlgorithmException e) {
      return false;
    }
  }

  static boolean hasCause(Throwable failure, Class<? extends Throwable> type) {
    // Bounded, in case a chain of causes loops.
    Throwable cause = failure;
    for (int depth = 0; cause != null && depth < 20; depth++, cause = cause.getCause()) {
      if (type.isInstance(cause)) {
        return true;
      }
    }
    return false;
  }
}
