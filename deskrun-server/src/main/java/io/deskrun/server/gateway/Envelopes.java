package io.deskrun.server.gateway;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.deskrun.server.support.JsonMappers;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;

/**
 * Writes response bodies. JSON is one flat object; XML has one element per field under {@code
 * <{Action}Response>} or {@code <Error>}, and a list is its field element repeated once per item.
 * Null values are left out in both formats.
 */
final class Envelopes {
  private static final ObjectMapper JSON = JsonMappers.create();
  private static final int REPLACEMENT = 0xFFFD;
  private static final String XML_DECLARATION = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>";

  private Envelopes() {}

  /** Returns the success body: {@code RequestId} followed by the handler's fields. */
  static byte[] success(
      ResponseFormat format, String action, String requestId, Map<String, Object> fields) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("RequestId", requestId);
    fields.forEach(body::putIfAbsent);
    return write(format, action + "Response", body);
  }

  /** Returns the error body with RequestId, HostId, Code, Message and Recommend. */
  static byte[] error(
      ResponseFormat format,
      String requestId,
      String hostId,
      String code,
      String message,
      String recommend) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("RequestId", requestId);
    body.put("HostId", hostId);
    body.put("Code", code);
    body.put("Message", message);
    body.put("Recommend", recommend);
    return write(format, "Error", body);
  }

  private static byte[] write(ResponseFormat format, String rootElement, Map<String, Object> body) {
    Map<String, Object> pruned = withoutNulls(body);
    return switch (format) {
      case JSON -> json(pruned);
      case XML -> xml(rootElement, pruned);
    };
  }

  private static byte[] json(Map<String, Object> body) {
    try {
      return JSON.writeValueAsBytes(body);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Failed to write a JSON response", e);
    }
  }

  private static byte[] xml(String rootElement, Map<String, Object> body) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    // The JDK writer quotes its declaration with apostrophes; clients expect the usual form.
    out.writeBytes(XML_DECLARATION.getBytes(StandardCharsets.UTF_8));
    try {
      // A factory per response, because XMLOutputFactory does not promise thread safety.
      XMLStreamWriter writer =
          XMLOutputFactory.newDefaultFactory().createXMLStreamWriter(out, "UTF-8");
      writeElement(writer, rootElement, body);
      writer.writeEndDocument();
      writer.close();
    } catch (XMLStreamException e) {
      throw new IllegalStateException("Failed to write an XML response", e);
    }
    return out.toByteArray();
  }

  private static void writeElement(XMLStreamWriter writer, String name, Object value)
      throws XMLStreamException {
    if (value instanceof List<?> items) {
      for (Object item : items) {
        writeElement(writer, name, item);
      }
      return;
    }

    writer.writeStartElement(name);
    if (value instanceof Map<?, ?> fields) {
      for (Map.Entry<?, ?> field : fields.entrySet()) {
        writeElement(writer, String.valueOf(field.getKey()), field.getValue());
      }
    } else {
      writeText(writer, xmlText(String.valueOf(value)));
    }
    writer.writeEndElement();
  }

  /**
   * Writes text with each carriage return as the character reference {@code &#13;}. The JDK's
   * writer copies a raw CR, which an XML parser turns into a line feed (XML 1.0 section 2.11), so a
   * CRLF in a script's output would come back as LF.
   */
  private static void writeText(XMLStreamWriter writer, String text) throws XMLStreamException {
    int start = 0;
    for (int cr = text.indexOf('\r'); cr >= 0; cr = text.indexOf('\r', start)) {
      writer.writeCharacters(text.substring(start, cr));
      writer.writeEntityRef("#13");
      start = cr + 1;
    }
    writer.writeCharacters(text.substring(start));
  }

  /**
   * Returns {@code text} with each character that XML 1.0 does not allow (control characters but
   * tab and line breaks, unpaired surrogates, U+FFFE and U+FFFF) replaced by U+FFFD. The JDK's
   * writer copies them as they are, and a message that quotes a caller's value would otherwise make
   * the document unreadable. JSON escapes them instead.
   */
  static String xmlText(String text) {
    if (text.codePoints().allMatch(Envelopes::isXmlChar)) {
      return text;
    }
    StringBuilder safe = new StringBuilder(text.length());
    text.codePoints().forEach(c -> safe.appendCodePoint(isXmlChar(c) ? c : REPLACEMENT));
    return safe.toString();
  }

  private static boolean isXmlChar(int c) {
    return c == '\t'
        || c == '\n'
        || c == '\r'
        || (c >= 0x20 && c <= 0xD7FF)
        || (c >= 0xE000 && c <= 0xFFFD)
        || (c >= 0x10000 && c <= 0x10FFFF);
  }

  private static Map<String, Object> withoutNulls(Map<?, ?> fields) {
    Map<String, Object> copy = new LinkedHashMap<>();
    for (Map.Entry<?, ?> field : fields.entrySet()) {
      if (field.getValue() != null) {
        copy.put(String.valueOf(field.getKey()), pruneValue(field.getValue()));
      }
    }
    return copy;
  }

  private static Object pruneValue(Object value) {
    if (value instanceof Map<?, ?> fields) {
      return withoutNulls(fields);
    }
    if (value instanceof List<?> items) {
      List<Object> copy = new ArrayList<>();
      for (Object item : items) {
        if (item != null) {
          copy.add(pruneValue(item));
        }
      }
      return copy;
    }
    return value;
  }
}
