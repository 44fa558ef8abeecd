package io.deskrun.agent.exec;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class OutputTailTest {
  @Test
  void append_characterSplitAcrossCalls_decodedWhole() {
    OutputTail tail = new OutputTail(100, null);
    byte[] bytes = "a中b".getBytes(StandardCharsets.UTF_8);

    tail.append(bytes, 0, 2);
    assertThat(tail.snapshot().text()).isEqualTo("a");
    tail.append(bytes, 2, 1);
    tail.append(bytes, 3, bytes.length - 3);

    assertThat(tail.snapshot().text()).isEqualTo("a中b");
  }

  @Test
  void append_fourByteCharacterBytewise_decodedWhole() {
    OutputTail tail = new OutputTail(100, null);
    byte[] bytes = "😀!".getBytes(StandardCharsets.UTF_8);

    for (int i = 0; i < bytes.length; i++) {
      tail.append(bytes, i, 1);
    }

    assertThat(tail.snapshot().text()).isEqualTo("😀!");
  }

  @Test
  void append_invalidBytesWithoutFallback_replacementCharacters() {
    OutputTail tail = new OutputTail(100, null);

    append(tail, new byte[] {'a', (byte) 0xFF, 'b', (byte) 0xC3, 'c'});

    assertThat(tail.snapshot().text()).isEqualTo("a\uFFFDb\uFFFDc");
  }

  @Test
  void append_invalidBytesWithFallback_decodedByFallback() {
    OutputTail tail = new OutputTail(100, StandardCharsets.ISO_8859_1);

    append(tail, new byte[] {'a', (byte) 0xE9, 'b'});

    assertThat(tail.snapshot().text()).isEqualTo("aéb");
  }

  @Test
  void close_unfinishedCharacterAtEnd_replaced() {
    OutputTail tail = new OutputTail(100, null);
    append(tail, new byte[] {'a', (byte) 0xE4, (byte) 0xB8});

    tail.close();

    assertThat(tail.snapshot().text()).isEqualTo("a\uFFFD");
  }

  @Test
  void close_laterAppends_ignored() {
    OutputTail tail = new OutputTail(100, null);
    append(tail, "kept".getBytes(StandardCharsets.UTF_8));

    tail.close();
    append(tail, "late".getBytes(StandardCharsets.UTF_8));

    assertThat(tail.snapshot().text()).isEqualTo("kept");
  }

  @Test
  void snapshot_overLimit_cutAtCharacterBoundary() {
    OutputTail tail = new OutputTail(8, null);

    append(tail, "中文字".getBytes(StandardCharsets.UTF_8));

    // 9 bytes; the last 8 start inside 中, so the cut moves forward to 文.
    OutputTail.Snapshot snapshot = tail.snapshot();
    assertThat(snapshot.text()).isEqualTo("文字");
    assertThat(snapshot.dropped()).isEqualTo(3);
  }

  @Test
  void snapshot_manyAppends_newestBytesKept() {
    OutputTail tail = new OutputTail(16, null);
    StringBuilder all = new StringBuilder();

    for (int i = 0; i < 1000; i++) {
      String line = "line " + i + "\n";
      all.append(line);
      append(tail, line.getBytes(StandardCharsets.UTF_8));
    }

    OutputTail.Snapshot snapshot = tail.snapshot();
    assertThat(snapshot.text()).isEqualTo(all.substring(all.length() - 16));
    assertThat(snapshot.dropped()).isEqualTo(all.length() - 16);
  }

  @Test
  void snapshot_oneAppendLargerThanLimit_keepsTail() {
    OutputTail tail = new OutputTail(8, null);

    append(tail, "0123456789abcdef".getBytes(StandardCharsets.UTF_8));

    assertThat(tail.snapshot().text()).isEqualTo("89abcdef");
    assertThat(tail.snapshot().dropped()).isEqualTo(8);
  }

  @Test
  void snapshot_afterChange_versionGrows() {
    OutputTail tail = new OutputTail(8, null);
    long before = tail.snapshot().version();

    append(tail, "x".getBytes(StandardCharsets.UTF_8));

    assertThat(tail.snapshot().version()).isGreaterThan(before);
  }

  @Test
  void append_oemLineSplitAcrossCalls_decodedWholeWithFallback() {
    OutputTail tail = new OutputTail(100, Charset.forName("GBK"));
    byte[] bytes = "找不到文件。\r\n".getBytes(Charset.forName("GBK"));

    for (int i = 0; i < bytes.length; i += 3) {
      tail.append(bytes, i, Math.min(3, bytes.length - i));
    }

    assertThat(tail.snapshot().text()).isEqualTo("找不到文件。\r\n");
  }

  @Test
  void append_utf8LineThenOemLine_eachDecodedByItsOwnEncoding() {
    OutputTail tail = new OutputTail(100, Charset.forName("GBK"));

    append(tail, "中文测试\r\n".getBytes(StandardCharsets.UTF_8));
    append(tail, "驱动器 C 中没有标签。\r\n".getBytes(Charset.forName("GBK")));

    assertThat(tail.snapshot().text()).isEqualTo("中文测试\r\n驱动器 C 中没有标签。\r\n");
  }

  @Test
  void snapshot_openLine_shownBeforeItsEnd() {
    OutputTail tail = new OutputTail(100, null);

    append(tail, "done\nprogress 50%".getBytes(StandardCharsets.UTF_8));

    OutputTail.Snapshot snapshot = tail.snapshot();
    assertThat(snapshot.text()).isEqualTo("done\nprogress 50%");
    assertThat(snapshot.dropped()).isZero();
  }

  @Test
  void append_longLineInOddPieces_charactersWholeAndTailBounded() {
    OutputTail tail = new OutputTail(30, null);
    byte[] bytes = "中".repeat(5000).getBytes(StandardCharsets.UTF_8);

    for (int i = 0; i < bytes.length; i += 7) {
      tail.append(bytes, i, Math.min(7, bytes.length - i));
    }
    tail.close();

    OutputTail.Snapshot snapshot = tail.snapshot();
    assertThat(snapshot.text()).isEqualTo("中".repeat(10));
    assertThat(snapshot.dropped()).isEqualTo(bytes.length - 30);
  }

  private static void append(OutputTail tail, byte[] bytes) {
    tail.append(bytes, 0, bytes.length);
  }
}
