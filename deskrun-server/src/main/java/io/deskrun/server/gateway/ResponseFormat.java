package io.deskrun.server.gateway;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

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
    return named(format)
        .orElseThrow(
            () ->
                ApiException.invalidParameter(
                    "Format", "Format must be JSON or XML, got \"" + format + "\"."));
  }

  /**
   * Returns the format for an error raised before the parameters could be read: the one that every
   * readable {@code Format} value names, or JSON when there is none or they disagree.
   */
  static ResponseFormat readable(List<String> formats) {
    List<Optional<ResponseFormat>> named =
        formats.stream().map(ResponseFormat::named).distinct().toList();
    return named.size() == 1 ? named.get(0).orElse(JSON) : JSON;
  }

  private static Optional<ResponseFormat> named(String format) {
    return switch (format.toUpperCase(Locale.ROOT)) {
      case "JSON" -> Optional.of(JSON);
      case "XML" -> Optional.of(XML);
      default -> Optional.empty();
    };
  }
}
