package io.deskrun.agent.exec;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;

/**
 * The last bytes of a run's output as UTF-8, in bounded memory whatever the script prints.
 *
 * <p>Output is decoded a line at a time. A line that is valid UTF-8 is kept as it is. A line that
 * is not is decoded whole with the fallback charset when one is given. On Windows that is the OEM
 * code page, in which cmd.exe and console programs write when the UTF-8 switch did not take.
 * Without a fallback each bad sequence becomes U+FFFD, so no byte disappears without a trace.
 * Deciding per line rather than per bad byte matters for double-byte code pages such as 936, whose
 * characters are mostly invalid UTF-8 lead bytes followed by bytes that happen to look valid.
 *
 * <p>A line longer than {@link #LINE_LIMIT} bytes is decided in pieces of that size, each cut after
 * a whole UTF-8 character when it is valid. The text of the line still open is shown in snapshots,
 * so output without line ends still appears while the script runs. A character split across two
 * {@link #append} calls comes out whole. Thread-safe: one reader thread appends while the run
 * thread takes snapshots.
 */
public final class OutputTail {
  /** Maximum bytes of one line held before they are decoded. */
  static final int LINE_LIMIT = 4096;

  private final int limit;
  private final Charset fallback;

  private final byte[] line = new byte[LINE_LIMIT];
  private int lineLength;
  private byte[] kept;
  private int keptLength;
  private long total;
  private long version;
  private boolean closed;

  /**
   * Creates a tail keeping at most {@code limit} bytes.
   *
   * @param fallback charset for lines that are not valid UTF-8, or null to decode them as UTF-8
   *     with U+FFFD for each bad sequence
   */
  public OutputTail(int limit, Charset fallback) {
    if (limit < 4) {
      throw new IllegalArgumentException("limit must be at least 4 bytes, got " + limit);
    }
    this.limit = limit;
    this.fallback = fallback;
    this.kept = new byte[Math.min(2 * limit, 1 << 16) + limit];
  }

  /** Appends {@code length} raw output bytes from {@code bytes}. */
  public synchronized void append(byte[] bytes, int offset, int length) {
    if (closed || length == 0) {
      return;
    }
    version++;
    int end = offset + length;
    int start = offset;
    while (start < end) {
      int newline = indexOfNewline(bytes, start, end);
      int stop = newline < 0 ? end : newline + 1;
      if (newline >= 0 && lineLength == 0) {
        // The common case: a whole line inside one read needs no copy.
        commitLine(bytes, start, stop - start);
      } else {
        addToLine(bytes, start, stop - start);
        if (newline >= 0) {
          commitLine(line, 0, lineLength);
          lineLength = 0;
        }
      }
      start = stop;
    }
  }

  /**
   * Decodes the open line at the end of the output, where an unfinished character is malformed, and
   * ignores later appends from a reader that is still running.
   */
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (lineLength > 0) {
      commitLine(line, 0, lineLength);
      lineLength = 0;
      version++;
    }
  }

  /** Returns the current tail, cut at a character boundary, with the count of bytes cut off. */
  public synchronized Snapshot snapshot() {
    byte[] open = openLineText();
    int fromKept = Math.min(keptLength, Math.max(0, limit - open.length));
    byte[] shown = new byte[fromKept + open.length];
    System.arraycopy(kept, keptLength - fromKept, shown, 0, fromKept);
    System.arraycopy(open, 0, shown, fromKept, open.length);

    int start = Math.max(0, shown.length - limit);
    while (start < shown.length && isContinuationByte(shown[start])) {
      start++;
    }
    String text = new String(shown, start, shown.length - start, StandardCharsets.UTF_8);
    long dropped = total + open.length - (shown.length - start);
    return new Snapshot(text, dropped, version);
  }

  /** The retained text, the UTF-8 bytes cut from its front, and a counter that grows on change. */
  public record Snapshot(String text, long dropped, long version) {}

  private void addToLine(byte[] bytes, int offset, int length) {
    while (length > 0) {
      int count = Math.min(length, LINE_LIMIT - lineLength);
      System.arraycopy(bytes, offset, line, lineLength, count);
      lineLength += count;
      offset += count;
      length -= count;
      if (lineLength == LINE_LIMIT) {
        commitFullLine();
      }
    }
  }

  /** Commits most of a full line buffer, keeping an unfinished trailing character for later. */
  private void commitFullLine() {
    int complete = Utf8.completePrefix(line, 0, lineLength);
    if (complete <= 0) {
      commitLine(line, 0, lineLength);
      lineLength = 0;
      return;
    }
    store(line, 0, complete);
    System.arraycopy(line, complete, line, 0, lineLength - complete);
    lineLength -= complete;
  }

  private void commitLine(byte[] bytes, int offset, int length) {
    if (Utf8.completePrefix(bytes, offset, length) == length) {
      store(bytes, offset, length);
      return;
    }
    byte[] decoded = decodeInvalid(bytes, offset, length);
    store(decoded, 0, decoded.length);
  }

  /** Returns the open line as it would be decoded now, without its unfinished last character. */
  private byte[] openLineText() {
    int complete = Utf8.completePrefix(line, 0, lineLength);
    if (complete >= 0) {
      byte[] text = new byte[complete];
      System.arraycopy(line, 0, text, 0, complete);
      return text;
    }
    return decodeInvalid(line, 0, lineLength);
  }

  private byte[] decodeInvalid(byte[] bytes, int offset, int length) {
    Charset charset = fallback == null ? StandardCharsets.UTF_8 : fallback;
    return new String(bytes, offset, length, charset).getBytes(StandardCharsets.UTF_8);
  }

  private void store(byte[] bytes, int offset, int length) {
    total += length;
    int skip = Math.max(0, length - limit);
    int count = length - skip;
    if (keptLength + count > kept.length) {
      int keep = Math.min(keptLength, limit);
      System.arraycopy(kept, keptLength - keep, kept, 0, keep);
      keptLength = keep;
    }
    System.arraycopy(bytes, offset + skip, kept, keptLength, count);
    keptLength += count;
  }

  private static int indexOfNewline(byte[] bytes, int start, int end) {
    for (int i = start; i < end; i++) {
      if (bytes[i] == '\n') {
        return i;
      }
    }
    return -1;
  }

  private static boolean isContinuationByte(byte b) {
    return (b & 0xC0) == 0x80;
  }

  @Override
  public synchronized String toString() {
    return "OutputTail[total=" + total + ", kept=" + Math.min(keptLength, limit) + "]";
  }
}
