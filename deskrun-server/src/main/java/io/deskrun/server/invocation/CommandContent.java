package io.deskrun.server.invocation;

import io.deskrun.server.gateway.ApiException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;

/** Decodes and checks the {@code CommandContent} of RunCommand. */
final class CommandContent {
  static final int MAX_BASE64_CHARS = 16_384;
  static final int MAX_SCRIPT_BYTES = 12_288;

  private static final String PARAMETER = "CommandContent";

  private CommandContent() {}

  /**
   * Returns the script text. {@code encoding} is {@code Base64} in any case, as DescribeInvocations
   * takes it; anything else, or none, means plain text, as the API documents.
   */
  static String decode(String content, String encoding) {
    byte[] script =
        isBase64(encoding) ? decodeBase64(content) : content.getBytes(StandardCharsets.UTF_8);
    if (script.length > MAX_SCRIPT_BYTES) {
      throw invalid(
          "CommandContent is "
              + script.length
              + " bytes of script; the limit is "
              + MAX_SCRIPT_BYTES
              + " bytes (16 KB of Base64).");
    }
    String text = decodeUtf8(script);
    if (text.isBlank()) {
      throw invalid("CommandContent is blank; send a script with at least one command.");
    }
    return text;
  }

  private static boolean isBase64(String encoding) {
    if (encoding == null) {
      return false;
    }
    // The API takes any other value as PlainText, which its callers may rely on.
    return encoding.toLowerCase(Locale.ROOT).equals("base64");
  }

  private static byte[] decodeBase64(String content) {
    if (content.length() > MAX_BASE64_CHARS) {
      throw invalid(
          "CommandContent is "
              + content.length()
              + " characters of Base64; the limit is 16 KB ("
              + MAX_BASE64_CHARS
              + " characters).");
    }
    if (!isStandardBase64(content)) {
      throw invalid(
          "CommandContent is not valid Base64: use the standard alphabet A-Z a-z 0-9 + /, optional"
              + " = padding, and no whitespace or URL-safe characters (- _).");
    }
    return Base64.getDecoder().decode(pad(content));
  }

  /**
   * Tells whether the text is standard Base64 (RFC 4648 section 4) with optional padding: only the
   * alphabet, padding only at the end and only as much as the last group needs, no whitespace.
   */
  static boolean isStandardBase64(String text) {
    int dataLength = text.length();
    while (dataLength > 0 && text.charAt(dataLength - 1) == '=') {
      dataLength--;
    }
    int padding = text.length() - dataLength;
    if (dataLength % 4 == 1 || padding > 2) {
      return false;
    }
    if (padding > 0 && (dataLength + padding) % 4 != 0) {
      return false;
    }
    for (int i = 0; i < dataLength; i++) {
      if (!isAlphabet(text.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  private static boolean isAlphabet(char c) {
    return (c >= 'A' && c <= 'Z')
        || (c >= 'a' && c <= 'z')
        || (c >= '0' && c <= '9')
        || c == '+'
        || c == '/';
  }

  private static String pad(String content) {
    int remainder = content.length() % 4;
    return remainder == 0 ? content : content + "=".repeat(4 - remainder);
  }

  private static String decodeUtf8(byte[] script) {
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(script))
          .toString();
    } catch (CharacterCodingException e) {
      throw invalid("CommandContent does not decode to valid UTF-8 text.");
    }
  }

  private static ApiException invalid(String message) {
    return ApiException.invalidParameter(PARAMETER, message);
  }
}
