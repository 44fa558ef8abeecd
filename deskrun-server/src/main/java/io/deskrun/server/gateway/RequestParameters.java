package io.deskrun.server.gateway;

import io.deskrun.server.gateway.FormDecoder.Field;
import io.helidon.common.buffers.DataReader;
import io.helidon.common.media.type.MediaTypes;
import io.helidon.http.HeaderNames;
import io.helidon.http.HttpException;
import io.helidon.http.HttpMediaType;
import io.helidon.http.RequestException;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The parameters of one request: those of the query string alone (V3 signs them), all of them
 * merged with the form body, and the exact body bytes (V3 hashes them).
 */
record RequestParameters(Map<String, String> query, Map<String, String> merged, byte[] body) {
  /** The maximum number of parameters in one request, query string and body together. */
  static final int MAX_PARAMETERS = 200;

  /** The largest body the gateway reads, in bytes. */
  static final int MAX_BODY_BYTES = 64 * 1024;

  /**
   * Reads and decodes the query string and the form body of the request. Every rule broken is
   * {@code InvalidParameter} naming the rule: more than {@value #MAX_PARAMETERS} parameters, a body
   * over {@value #MAX_BODY_BYTES} bytes, a body that is not a form, a name repeated with different
   * values, or a name sent both in the query and in the body.
   */
  static RequestParameters read(ServerRequest request) {
    String rawQuery = request.query().rawValue();
    List<Field> queryFields =
        FormDecoder.decode(rawQuery.getBytes(StandardCharsets.UTF_8), "query string");
    byte[] body = readBody(request);
    List<Field> bodyFields = body.length == 0 ? List.of() : decodeBody(request, body);

    int count = queryFields.size() + bodyFields.size();
    if (count > MAX_PARAMETERS) {
      throw invalid(
          "The request has "
              + count
              + " parameters; at most "
              + MAX_PARAMETERS
              + " are allowed in the query string and the body together.");
    }

    Map<String, String> query = collect(queryFields, "query string");
    Map<String, String> merged = new HashMap<>(query);
    for (Map.Entry<String, String> field : collect(bodyFields, "form body").entrySet()) {
      if (merged.putIfAbsent(field.getKey(), field.getValue()) != null) {
        throw invalid(
            "The parameter "
                + field.getKey()
                + " is sent both in the query string and in the form body; send it once.");
      }
    }
    return new RequestParameters(Map.copyOf(query), Map.copyOf(merged), body);
  }

  private static byte[] readBody(ServerRequest request) {
    if (!request.content().hasEntity()) {
      return new byte[0];
    }
    try (InputStream in = request.content().inputStream()) {
      byte[] body = in.readNBytes(MAX_BODY_BYTES + 1);
      if (body.length > MAX_BODY_BYTES) {
        throw invalid("The request body exceeds the limit of " + MAX_BODY_BYTES + " bytes.");
      }
      return body;
    } catch (RequestException e) {
      // Helidon enforces the server's maximum payload size while a chunked body is read.
      if (e.status().code() == Status.REQUEST_ENTITY_TOO_LARGE_413.code()) {
        throw invalid("The request body exceeds the limit of " + MAX_BODY_BYTES + " bytes.");
      }
      throw invalid("The request body could not be read: " + e.status().reasonPhrase() + ".");
    } catch (DataReader.InsufficientDataAvailableException e) {
      // The client closed the connection before sending the body it announced.
      throw invalid("The request body ended before the length announced in its headers.");
    } catch (IOException e) {
      throw new UncheckedIOException("Failed to read the request body", e);
    }
  }

  private static List<Field> decodeBody(ServerRequest request, byte[] body) {
    Optional<HttpMediaType> contentType = contentType(request);
    boolean form =
        contentType.isEmpty()
            || contentType.get().mediaType().equals(MediaTypes.APPLICATION_FORM_URLENCODED);
    if (!form) {
      throw invalid(
          "The Content-Type "
              + contentType.get().text()
              + " is not supported; send the parameters in the query or as "
              + "application/x-www-form-urlencoded.");
    }
    return FormDecoder.decode(body, "form body");
  }

  /** Returns the parsed Content-Type; one that cannot be parsed is {@code InvalidParameter}. */
  private static Optional<HttpMediaType> contentType(ServerRequest request) {
    try {
      return request.headers().contentType();
    } catch (IllegalArgumentException | HttpException e) {
      String raw = request.headers().first(HeaderNames.CONTENT_TYPE).orElse("");
      throw invalid(
          "The Content-Type \""
              + abbreviate(raw)
              + "\" is malformed; send application/x-www-form-urlencoded or no body.");
    }
  }

  private static String abbreviate(String text) {
    return text.length() > 100 ? text.substring(0, 100) + "..." : text;
  }

  private static Map<String, String> collect(List<Field> fields, String source) {
    Map<String, String> values = new HashMap<>();
    for (Field field : fields) {
      String earlier = values.putIfAbsent(field.name(), field.value());
      if (earlier != null && !earlier.equals(field.value())) {
        throw invalid(
            "The parameter "
                + field.name()
                + " is repeated in the "
                + source
                + " with different values; send it once.");
      }
    }
    return values;
  }

  private static ApiException invalid(String message) {
    return new ApiException(ApiError.INVALID_PARAMETER, message);
  }
}
