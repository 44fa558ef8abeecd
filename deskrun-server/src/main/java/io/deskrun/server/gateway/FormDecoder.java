package io.deskrun.server.gateway;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Decodes {@code application/x-www-form-urlencoded} text, as found in query strings and form
 * bodies, and rejects anything a lenient decoder would guess at: a malformed percent-escape,
 * invalid UTF-8, an empty name or a NUL byte in a name.
 */
final class FormDecoder {
  /** One {@code name=value} pair in the order it was sent. */
  record Field(String name, String value) {}

  private FormDecoder() {}

  /**
   * Splits the raw bytes on {@code &} and decodes each name and value; {@code +} is a space. A
   * segment without {@code =} is a name with an empty value, and empty segments are skipped.
   *
   * @param source where the bytes come from, for error messages ("query string", "form body")
   */
  static List<Field> decode(byte[] raw, String source) {
    List<Field> fields = new ArrayList<>();
    int start = 0;
    while (start <= raw.length) {
      int end = indexOf(raw, (byte) '&', start);
      if (end > start) {
        fields.add(decodeField(raw, start, end, source));
      }
      start = end + 1;
    }
    return fields;
  }

  /**
   * Returns the values of every parameter named {@code name} whose segment decodes cleanly,
   * skipping the segments that break a rule. Used only to send the error for a request that {@link
   * #decode} rejected in the format that the request names.
   */
  static List<String> readableValues(byte[] raw, String name) {
    List<String> values = new ArrayList<>();
    int start = 0;
    while (start <= raw.length) {
      int end = indexOf(raw, (byte) '&', start);
      if (end > start) {
        try {
          Field field = decodeField(raw, start, end, "");
          if (field.name().equals(name)) {
            values.add(field.value());
          }
        } catch (ApiException e) {
          // This segment cannot be read; the others still can.
        }
      }
      start = end + 1;
    }
    return values;
  }

  private static Field decodeField(byte[] raw, int start, int end, String source) {
    int equals = indexOf(raw, (byte) '=', start);
    int nameEnd = Math.min(equals, end);
    String name = decodeComponent(raw, start, nameEnd, source);
    String value = nameEnd < end ? decodeComponent(raw, nameEnd + 1, end, source) : "";

    if (name.isEmpty()) {
      throw invalid("The " + source + " contains a parameter with an empty name.");
    }
    if (name.indexOf('\0') >= 0) {
      throw invalid("The " + source + " contains a parameter name with a NUL byte.");
    }
    return new Field(name, value);
  }

  private static String decodeComponent(byte[] raw, int start, int end, String source) {
    byte[] decoded = new byte[end - start];
    int length = 0;
    for (int i = start; i < end; i++) {
      byte b = raw[i];
      if (b == '%') {
        decoded[length++] = (byte) percentEscape(raw, i, end, source);
        i += 2;
      } else {
        decoded[length++] = b == '+' ? (byte) ' ' : b;
      }
    }
    return utf8(decoded, length, source);
  }

  private static int percentEscape(byte[] raw, int at, int end, String source) {
    int high = at + 1 < end ? Character.digit(raw[at + 1], 16) : -1;
    int low = at + 2 < end ? Character.digit(raw[at + 2], 16) : -1;
    if (high < 0 || low < 0) {
      throw invalid(
          "The "
              + source
              + " has a malformed percent-escape at byte "
              + at
              + "; each % must be followed by two hex digits.");
    }
    return high << 4 | low;
  }

  private static String utf8(byte[] bytes, int length, String source) {
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes, 0, length))
          .toString();
    } catch (CharacterCodingException e) {
      throw invalid("The " + source + " is not valid UTF-8 after percent-decoding.");
    }
  }

  private static int indexOf(byte[] raw, byte target, int from) {
    for (int i = from; i < raw.length; i++) {
      if (raw[i] == target) {
        return i;
      }
    }
    return raw.length;
  }

  private static ApiException invalid(String message) {
    return new ApiException(ApiError.INVALID_PARAMETER, message);
  }
}
