package io.deskrun.server.gateway;

import java.util.Locale;

/** The body format a caller asks for with the {@code Format} parameter. */
enum ResponseFormat {
  JSON("application/json;charset=utf-8"),
  XML("text/xml;charset=utf-8");

  private final String contentType;

  ResponseFormat(String contentType) {
    this.contentType = contentType;
  }

  String contentType() {
    return contentType;
  }

  /**
   * Parses {@code Format} case-insensitively. Absent or empty means JSON: upstream documents XML as
   * the default, but every SDK sends the parameter, so only hand-made requests lack it.
   */
  static ResponseFormat parse(String format) {
    if (format == null || format.isEmpty()) {
      return JSON;
    }
    return switch (format.toUpperCase(Locale.ROOT)) {
      case "JSON" -> JSON;
      case "XML" -> XML;
      default ->
          throw ApiException.invalidParameter(
              "Format", "Format must be JSON or XML, got \"" + format + "\".");
    };
  }
}
