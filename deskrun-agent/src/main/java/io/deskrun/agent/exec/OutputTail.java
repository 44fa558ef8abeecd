package io.deskrun.agent.exec;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * The last bytes of a run's output as UTF-8, in bounded memory whatever the script prints.
 *
 * <p>Raw bytes are decoded as UTF-8. A character split across two {@link #append} calls is held
 * back until its last byte arrives, so it comes out whole. A byte sequence that is not valid UTF-8
 * is decoded with the fallback charset when one is given (every byte becomes a character), or as
 * U+FFFD otherwise, so no byte disappears without a trace. The decoded text is stored re-encoded as
 * UTF-8 and only the newest bytes are kept. Thread-safe: one reader thread appends while the run
 * thread takes snapshots.
 */
public final class OutputTail {
  private final int limit;
  private final Charset fallback;
  private final CharsetDecoder decoder =
      StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT);

  private ByteBuffer pending = ByteBuffer.allocate(16);
  private final CharBuffer chars = CharBuffer.allocate(8192);
  private byte[] kept;
  private int keptLength;
  private long total;
  private long version;
  private boolean closed;

  /**
   * Creates a tail keeping at most {@code limit} bytes.
   *
   * @param fallback charset for bytes that are not valid UTF-8, or null to decode them as U+FFFD
   */
  public OutputTail(int limit, Charset fallback) {
    if (limit < 4) {
      throw new IllegalArgumentException("limit must be at least 4 bytes, got " + limit);
    }
    this.limit = limit;
    this.fallback = fallback;
    this.kept = new byte[Math.min(2 * limit, 1 << 16) + limit];
  }

  /** Decodes {@code length} bytes from {@code bytes} and appends them to the tail. */
  public synchronized void append(byte[] bytes, int offset, int length) {
    if (closed) {
      return;
    }
    ByteBuffer input = withPending(ByteBuffer.wrap(bytes, offset, length));
    decode(input, false);
    keepPending(input);
  }

  /**
   * Decodes any bytes held back at the end of the output, where an unfinished character is
   * malformed, and ignores later appends from a reader that is still running.
   */
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    ByteBuffer input = pending.flip();
    decode(input, true);
    pending.clear();
  }

  /** Returns the current tail, cut at a character boundary, with the count of bytes cut off. */
  public synchronized Snapshot snapshot() {
    int start = Math.max(0, keptLength - limit);
    while (start < keptLength && isContinuationByte(kept[start])) {
      start++;
    }
    String text = new String(kept, start, keptLength - start, StandardCharsets.UTF_8);
    long dropped = total - (keptLength - start);
    return new Snapshot(text, dropped, version);
  }

  /** The retained text, the UTF-8 bytes cut from its front, and a counter that grows on change. */
  public record Snapshot(String text, long dropped, long version) {}

  private ByteBuffer withPending(ByteBuffer input) {
    if (pending.position() == 0) {
      return input;
    }
    pending.flip();
    ByteBuffer joined = ByteBuffer.allocate(pending.remaining() + input.remaining());
    joined.put(pending).put(input).flip();
    pending.clear();
    return joined;
  }

  private void keepPending(ByteBuffer input) {
    // At most three bytes of an unfinished character remain after a decode call.
    pending.clear();
    pending.put(input);
  }

  private void decode(ByteBuffer input, boolean endOfInput) {
    while (true) {
      CoderResult result = decoder.decode(input, chars, endOfInput);
      flushChars();
      if (result.isOverflow()) {
        continue;
      }
      if (result.isError()) {
        decodeInvalid(input, result.length());
        continue;
      }
      return;
    }
  }

  private void decodeInvalid(ByteBuffer input, int length) {
    byte[] invalid = new byte[length];
    input.get(invalid);
    String text = fallback == null ? "\uFFFD" : new String(invalid, fallback);
    store(text.getBytes(StandardCharsets.UTF_8));
  }

  private void flushChars() {
    chars.flip();
    if (chars.hasRemaining()) {
      store(StandardCharsets.UTF_8.encode(chars));
    }
    chars.clear();
  }

  private void store(ByteBuffer encoded) {
    byte[] bytes = new byte[encoded.remaining()];
    encoded.get(bytes);
    store(bytes);
  }

  private void store(byte[] bytes) {
    total += bytes.length;
    version++;
    int offset = Math.max(0, bytes.length - limit);
    int length = bytes.length - offset;
    if (keptLength + length > kept.length) {
      int keep = Math.min(keptLength, limit);
      System.arraycopy(kept, keptLength - keep, kept, 0, keep);
      keptLength = keep;
    }
    System.arraycopy(bytes, offset, kept, keptLength, length);
    keptLength += length;
  }

  private static boolean isContinuationByte(byte b) {
    return (b & 0xC0) == 0x80;
  }

  @Override
  public synchronized String toString() {
    return "OutputTail[total=" + total + ", kept=" + Math.min(keptLength, limit) + "]";
  }
}
