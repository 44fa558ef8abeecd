package io.deskrun.server.gateway;

import io.helidon.http.DirectHandler;
import io.helidon.http.HeaderNames;
import io.helidon.http.ServerResponseHeaders;
import io.helidon.http.Status;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Writes the gateway's JSON error envelope, with Helidon's status, for requests that Helidon
 * rejects before routing: an oversized request line, header block or body, or a malformed request.
 */
final class TransportErrors implements DirectHandler {
  private static final Logger LOG = LoggerFactory.getLogger(TransportErrors.class);

  @Override
  public TransportResponse handle(
      TransportRequest request,
      EventType eventType,
      Status status,
      ServerResponseHeaders responseHeaders,
      String message) {
    String requestId = Gateway.newRequestId();
    ApiError error = status.code() >= 500 ? ApiError.INTERNAL_ERROR : ApiError.INVALID_PARAMETER;
    String hostId = request.headers().first(HeaderNames.HOST).orElse("");
    byte[] body =
        Envelopes.error(
            ResponseFormat.JSON,
            requestId,
            hostId,
            error.code(),
            describe(status, message),
            error.recommend());

    MDC.put(Gateway.MDC_REQUEST_ID, requestId);
    try {
      LOG.info("Rejected an HTTP request before routing: {} {}", status.code(), eventType);
    } finally {
      MDC.remove(Gateway.MDC_REQUEST_ID);
    }

    responseHeaders.set(HeaderNames.CONTENT_TYPE, ResponseFormat.JSON.contentType());
    return TransportResponse.builder()
        .status(status)
        .headers(responseHeaders)
        .entity(body)
        .keepAlive(eventType.keepAlive())
        .build();
  }

  /** Returns a message that names the limit for the statuses the configured limits cause. */
  private static String describe(Status status, String helidonMessage) {
    return switch (status.code()) {
      case 413 -> "The request body exceeds the limit of " + Gateway.MAX_BODY_BYTES + " bytes.";
      case 414 ->
          "The request line exceeds the limit of " + Gateway.MAX_REQUEST_HEAD_BYTES + " bytes.";
      case 431 ->
          "The request headers exceed the limit of " + Gateway.MAX_REQUEST_HEAD_BYTES + " bytes.";
      default ->
          status.code() >= 500
              ? "The server failed to read the request."
              : malformed(helidonMessage);
    };
  }

  /**
   * Returns the message for a 400. Helidon 4.5 passes an empty message when its reason is not
   * marked safe to show, which includes oversized headers (sent as 400, not 431), so the empty case
   * names both causes.
   */
  private static String malformed(String helidonMessage) {
    String detail = helidonMessage == null ? "" : helidonMessage.strip();
    if (detail.length() > 200) {
      detail = detail.substring(0, 200) + "...";
    }
    return detail.isEmpty()
        ? "The HTTP request is malformed or its headers exceed the limit of "
            + Gateway.MAX_REQUEST_HEAD_BYTES
            + " bytes; check the request line, its percent-encoding and the headers."
        : "The HTTP request is malformed (" + detail + ").";
  }
}
