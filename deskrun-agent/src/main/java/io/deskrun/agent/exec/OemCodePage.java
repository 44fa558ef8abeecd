package io.deskrun.agent.exec;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The system's OEM code page, in which console programs write when they do not write UTF-8. */
public final class OemCodePage {
  private static final Logger LOG = LoggerFactory.getLogger(OemCodePage.class);

  private OemCodePage() {}

  /**
   * Asks Windows for its OEM code page ({@code GetOEMCP}) and returns its charset; never guessed
   * from a locale name. Call only on Windows.
   */
  public static Charset query() {
    int codePage;
    try {
      codePage = WindowsKernel.get().GetOEMCP();
    } catch (LinkageError e) {
      LOG.warn("GetOEMCP could not be called, so ISO-8859-1 decodes output that is not UTF-8", e);
      return StandardCharsets.ISO_8859_1;
    }
    Charset charset = WindowsCodePages.charsetOrLatin1(codePage);
    LOG.info("OEM code page {} decodes output that is not UTF-8, as {}", codePage, charset);
    return charset;
  }
}
