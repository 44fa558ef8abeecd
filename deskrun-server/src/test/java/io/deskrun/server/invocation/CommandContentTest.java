package io.deskrun.server.invocation;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class CommandContentTest {
  @Test
  void isStandardBase64_validForms_accepted() {
    for (String text :
        List.of("", "ZWNobyBoaQ", "ZWNobyBoaQ==", "ZWNobyBoaQo=", "ZWNobyBoaQo", "+/+/")) {
      assertThat(CommandContent.isStandardBase64(text)).as(text).isTrue();
    }
  }

  @Test
  void isStandardBase64_invalidForms_rejected() {
    for (String text :
        List.of(
            "Z",
            "ZWNobyBoaQ=",
            "ZWNobyBoaQ===",
            "ZW=NobyBoaQ",
            "ZWNo\nbyBoaQ",
            "-_-_",
            "ZW Nv",
            "ZWNv====")) {
      assertThat(CommandContent.isStandardBase64(text)).as(text).isFalse();
    }
  }

  @Test
  void decode_base64_returnsScriptText() {
    assertThat(CommandContent.decode("ZWNobyBoaQ", "base64")).isEqualTo("echo hi");
    assertThat(CommandContent.decode("ZWNobyBoaQ", "PlainText")).isEqualTo("ZWNobyBoaQ");
  }
}
