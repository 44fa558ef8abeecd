package io.deskrun.agent.exec;

import java.nio.charset.Charset;
import java.nio.charset.IllegalCharsetNameException;
import java.nio.charset.StandardCharsets;
import java.nio.charset.UnsupportedCharsetException;
import java.util.Map;
import java.util.Optional;

/** Maps Windows code page numbers, as {@code GetOEMCP} returns them, to Java charsets. */
public final class WindowsCodePages {
  /**
   * Code pages whose generic {@code cpNNN} alias in Java names an IBM variant rather than the
   * Microsoft one Windows uses, or that have no such alias.
   */
  private static final Map<Integer, String> MICROSOFT_NAMES =
      Map.of(
          874, "x-windows-874",
          932, "windows-31j",
          936, "x-mswin-936",
          949, "x-windows-949",
          950, "x-windows-950",
          1361, "x-Johab",
          20127, "US-ASCII",
          28591, "ISO-8859-1",
          65001, "UTF-8");

  private WindowsCodePages() {}

  /** Returns the charset of code page {@code codePage}, or empty when Java has none. */
  public static Optional<Charset> charset(int codePage) {
    String name = MICROSOFT_NAMES.get(codePage);
    if (name != null) {
      return lookUp(name);
    }
    return lookUp("cp" + codePage).or(() -> lookUp("windows-" + codePage));
  }

  /**
   * Returns the charset of {@code codePage}, or ISO-8859-1 when Java has none, which still shows
   * every byte as one character instead of dropping it.
   */
  public static Charset charsetOrLatin1(int codePage) {
    return charset(codePage).orElse(StandardCharsets.ISO_8859_1);
  }

  private static Optional<Charset> lookUp(String name) {
    try {
      return Optional.of(Charset.forName(name));
    } catch (UnsupportedCharsetException | IllegalCharsetNameException e) {
      return Optional.empty();
    }
  }
}
