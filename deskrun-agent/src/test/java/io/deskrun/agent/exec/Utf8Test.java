package io.deskrun.agent.exec;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class Utf8Test {
  private static int completePrefix(int... values) {
    byte[] bytes = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      bytes[i] = (byte) values[i];
    }
    return Utf8.completePrefix(bytes, 0, bytes.length);
  }

  @Test
  void completePrefix_wholeCharacters_fullLength() {
    byte[] bytes = "aé中😀".getBytes(StandardCharsets.UTF_8);

    assertThat(Utf8.completePrefix(bytes, 0, bytes.length)).isEqualTo(bytes.length);
  }

  @Test
  void completePrefix_cutInsideLastCharacter_lengthBeforeIt() {
    assertThat(completePrefix('a', 0xE4, 0xB8)).isEqualTo(1);
    assertThat(completePrefix('a', 0xF0, 0x9F, 0x98)).isEqualTo(1);
  }

  @Test
  void completePrefix_overlongOrSurrogate_invalid() {
    assertThat(completePrefix(0xC0, 0x80)).isEqualTo(-1);
    assertThat(completePrefix(0xE0, 0x80, 0x80)).isEqualTo(-1);
    assertThat(completePrefix(0xED, 0xA0, 0x80)).isEqualTo(-1);
    assertThat(completePrefix(0xF4, 0x90, 0x80, 0x80)).isEqualTo(-1);
  }

  @Test
  void completePrefix_gbkBytes_invalid() {
    byte[] bytes = "找不到文件".getBytes(java.nio.charset.Charset.forName("GBK"));

    assertThat(Utf8.completePrefix(bytes, 0, bytes.length)).isEqualTo(-1);
  }

  @Test
  void completePrefix_strayContinuationByte_invalid() {
    assertThat(completePrefix('a', 0x80, 'b')).isEqualTo(-1);
  }
}
