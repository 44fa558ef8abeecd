package io.deskrun.agent.exec;

/** Checks byte sequences against the UTF-8 rules (RFC 3629: no overlong forms, no surrogates). */
final class Utf8 {
  private Utf8() {}

  /**
   * Returns the length of the longest prefix made of whole, valid UTF-8 characters when the rest is
   * the valid start of one more character (cut off by the end of the range), or -1 when the range
   * contains an invalid sequence.
   */
  static int completePrefix(byte[] bytes, int offset, int length) {
    int end = offset + length;
    int i = offset;
    while (i < end) {
      int lead = bytes[i] & 0xFF;
      if (lead < 0x80) {
        i++;
        continue;
      }
      int size = sequenceLength(lead);
      if (size == 0) {
        return -1;
      }
      int available = Math.min(size, end - i);
      for (int k = 1; k < available; k++) {
        if (!validFollower(lead, k, bytes[i + k] & 0xFF)) {
          return -1;
        }
      }
      if (available < size) {
        return i - offset;
      }
      i += size;
    }
    return length;
  }

  private static int sequenceLength(int lead) {
    if (lead >= 0xC2 && lead <= 0xDF) {
      return 2;
    }
    if (lead >= 0xE0 && lead <= 0xEF) {
      return 3;
    }
    if (lead >= 0xF0 && lead <= 0xF4) {
      return 4;
    }
    return 0;
  }

  /** Returns whether {@code b} may be the byte at {@code position} (1 to 3) after {@code lead}. */
  private static boolean validFollower(int lead, int position, int b) {
    if (position == 1) {
      return switch (lead) {
        case 0xE0 -> b >= 0xA0 && b <= 0xBF;
        case 0xED -> b >= 0x80 && b <= 0x9F;
        case 0xF0 -> b >= 0x90 && b <= 0xBF;
        case 0xF4 -> b >= 0x80 && b <= 0x8F;
        default -> (b & 0xC0) == 0x80;
      };
    }
    return (b & 0xC0) == 0x80;
  }
}
