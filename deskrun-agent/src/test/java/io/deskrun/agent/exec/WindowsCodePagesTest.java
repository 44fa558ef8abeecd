package io.deskrun.agent.exec;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class WindowsCodePagesTest {
  @Test
  void charset_chineseOemCodePage_decodesLocalizedMessage() {
    byte[] message = "找不到文件".getBytes(Charset.forName("GBK"));

    Charset charset = WindowsCodePages.charset(936).orElseThrow();

    assertThat(new String(message, charset)).isEqualTo("找不到文件");
  }

  @Test
  void charset_westernAndCyrillicOemCodePages_ibmCharsets() {
    assertThat(WindowsCodePages.charset(437)).contains(Charset.forName("IBM437"));
    assertThat(WindowsCodePages.charset(850)).contains(Charset.forName("IBM850"));
    assertThat(WindowsCodePages.charset(866)).contains(Charset.forName("IBM866"));
  }

  @Test
  void charset_japaneseAndKorean_microsoftVariants() {
    assertThat(WindowsCodePages.charset(932)).contains(Charset.forName("windows-31j"));
    assertThat(WindowsCodePages.charset(949)).contains(Charset.forName("x-windows-949"));
  }

  @Test
  void charset_utf8CodePage_utf8() {
    assertThat(WindowsCodePages.charset(65001)).contains(StandardCharsets.UTF_8);
  }

  @Test
  void charsetOrLatin1_unknownCodePage_latin1KeepsEveryByte() {
    assertThat(WindowsCodePages.charset(12345)).isEmpty();
    assertThat(WindowsCodePages.charsetOrLatin1(12345)).isEqualTo(StandardCharsets.ISO_8859_1);
  }
}
