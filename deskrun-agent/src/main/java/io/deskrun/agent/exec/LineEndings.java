package io.deskrun.agent.exec;

/** Line ending conversion for script files. */
final class LineEndings {
  private LineEndings() {}

  /** Converts CRLF and lone CR to LF. */
  static String toLf(String text) {
    return text.replace("\r\n", "\n").replace('\r', '\n');
  }

  /** Converts every line ending (LF, CRLF or lone CR) to CRLF. */
  static String toCrlf(String text) {
    return toLf(text).replace("\n", "\r\n");
  }
}
