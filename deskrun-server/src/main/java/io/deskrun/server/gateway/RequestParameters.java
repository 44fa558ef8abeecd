package io.deskrun.server.gateway;

import io.deskrun.server.gateway.FormDecoder.Field;
import io.helidon.common.buffers.DataReader;
import io.helidon.common.media.type.MediaTypes;
import io.helidon.http.HeaderNames;
import io.helidon.http.HttpException;
import io.helidon.http.HttpMediaType;
import io.helidon.http.Method;
import io.helidon.http.RequestException;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
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
   * {@code InvalidParameter} naming the rule: a method other than GET or POST, a character that a
   * URI query does not allow, more than {@value #MAX_PARAMETERS} parameters, a body over {@value
   * #MAX_BODY_BYTES} bytes, a body that is not a form, a name repeated with different values, or a
   * name sent both in the query and in the body.
   *
   * @throws ReadException with the {@code InvalidParameter} error and the format that the request's
   *     readable {@code Format} parameters ask for
   */
  static RequestParameters read(ServerRequest request) {
    String rawQuery = request.query().rawValue();
    byte[] query = rawQuery.getBytes(StandardCharsets.UTF_8);
    byte[] body = null;
    try {
      // The body comes first. An error response sent with body bytes still unread would leave
      // Helidon to parse them as the next request on the connection and send a second response.
      body = readBody(request);
      checkMethod(request);
      checkQueryCharacters(rawQuery);
      List<Field> queryFields = FormDecoder.decode(query, "query string");
      List<Field> bodyFields = body.length == 0 ? List.of() : decodeBody(request, body);
      return merge(queryFields, bodyFields, body);
    } catch (ApiException e) {
      throw new ReadException(e, readableFormat(request, query, body));
    }
  }

  /**
   * An {@code InvalidParameter} raised while reading the parameters, with the error response's
   * format.
   */
  static final class ReadException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient ApiException error;
    private final ResponseFormat format;

    ReadException(ApiException error, ResponseFormat format) {
      super(error.getMessage(), error);
      this.error = error;
      this.format = format;
    }

    ApiException error() {
      return error;
    }

    ResponseFormat format() {
      return format;
    }
  }

  private static RequestParameters merge(
      List<Field> queryFields, List<Field> bodyFields, byte[] body) {
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

  private static void checkMethod(ServerRequest request) {
    Method method = request.prologue().method();
    if (!method.equals(Method.GET) && !method.equals(Method.POST)) {
      throw invalid("The HTTP method " + method.text() + " is not supported; send GET or POST.");
    }
  }

  /**
   * Rejects a character that RFC 3986 (section 3.4) does not allow in a query: only the unreserved
   * and sub-delimiter characters, {@code : @ / ?} and {@code %} may appear. The listener leaves
   * this check to the gateway, see {@link Gateway#configureServer}. Helidon reads the request line
   * as US-ASCII, so a byte over 0x7F arrives as U+FFFD and is rejected here too.
   */
  private static void checkQueryCharacters(String rawQuery) {
    for (int i = 0; i < rawQuery.length(); i++) {
      char c = rawQuery.charAt(i);
      if (!isQueryCharacter(c)) {
        throw invalid(
            "The query string has the character "
                + describe(c)
                + " at position "
                + i
                + ", which a URI query does not allow; percent-encode it.");
      }
    }
  }

  private static boolean isQueryCharacter(char c) {
    return (c >= 'A' && c <= 'Z')
        || (c >= 'a' && c <= 'z')
        || (c >= '0' && c <= '9')
        || "-._~!$&'()*+,;=:@/?%".indexOf(c) >= 0;
  }

  private static String describe(char c) {
    String code = String.format(Locale.ROOT, "U+%04X", (int) c);
    return c > 0x20 && c < 0x7F ? "'" + c + "' (" + code + ")" : code;
  }

  /**
   * Returns the format that the readable {@code Format} parameters of the query string and of a
   * form body already read ask for, or JSON.
   */
  private static ResponseFormat readableFormat(ServerRequest request, byte[] query, byte[] body) {
    List<String> formats = new ArrayList<>(FormDecoder.readableValues(query, "Format"));
    if (body != null && body.length > 0 && isFormBody(request)) {
      formats.addAll(FormDecoder.readableValues(body, "Format"));
    }
    return ResponseFormat.readable(formats);
  }

  private static boolean isFormBody(ServerRequest request) {
    try {
      Optional<HttpMediaType> contentType = request.headers().contentType();
      return contentType.isEmpty()
          || contentType.get().mediaType().equals(MediaTypes.APPLICATION_FORM_URLENCODED);
    } catch (IllegalArgumentException | HttpException e) {
      return false;
    }
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
