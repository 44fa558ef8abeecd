package io.deskrun.agent.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.jna.Library;
import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Checks that every function {@link WindowsKernel} maps is exported by a kernel32.dll, read from
 * Wine's copy of it, because JNA binds names only when a Windows agent first calls them.
 */
class WindowsKernelExportsTest {
  private static final List<Path> WINE_KERNEL32 =
      List.of(
          Path.of("/usr/lib/x86_64-linux-gnu/wine/x86_64-windows/kernel32.dll"),
          Path.of("/usr/lib/wine/x86_64-windows/kernel32.dll"),
          Path.of("/opt/wine-stable/lib/wine/x86_64-windows/kernel32.dll"));

  @Test
  void windowsKernel_everyMethod_exportedByKernel32() throws IOException {
    Path dll = WINE_KERNEL32.stream().filter(Files::isReadable).findFirst().orElse(null);
    assumeTrue(dll != null, "no kernel32.dll from Wine here (.ci/run installs the wine package)");

    Set<String> exports = exportedNames(Files.readAllBytes(dll));

    List<String> mapped =
        Arrays.stream(WindowsKernel.class.getMethods())
            .filter(m -> m.getDeclaringClass() == WindowsKernel.class)
            .filter(m -> !Modifier.isStatic(m.getModifiers()))
            .map(Method::getName)
            .toList();
    assertThat(mapped)
        .containsExactlyInAnyOrder(
            "GetOEMCP",
            "CreateJobObjectW",
            "AssignProcessToJobObject",
            "TerminateJobObject",
            "OpenProcess",
            "CloseHandle");
    assertThat(exports).containsAll(mapped);
    assertThat(Library.class).isAssignableFrom(WindowsKernel.class);
  }

  /** Returns the names in a PE32+ file's export directory. */
  private static Set<String> exportedNames(byte[] image) {
    ByteBuffer pe = ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN);
    int header = pe.getInt(0x3C);
    assertThat(pe.getInt(header)).as("PE signature").isEqualTo(0x4550);
    int sections = pe.getShort(header + 6) & 0xFFFF;
    int optionalSize = pe.getShort(header + 20) & 0xFFFF;
    int optional = header + 24;
    assertThat(pe.getShort(optional) & 0xFFFF).as("PE32+ magic").isEqualTo(0x20B);
    int exportRva = pe.getInt(optional + 112);
    int sectionTable = optional + optionalSize;

    int directory = fileOffset(pe, sectionTable, sections, exportRva);
    int count = pe.getInt(directory + 24);
    int names = fileOffset(pe, sectionTable, sections, pe.getInt(directory + 32));
    Set<String> result = new HashSet<>();
    for (int i = 0; i < count; i++) {
      int name = fileOffset(pe, sectionTable, sections, pe.getInt(names + 4 * i));
      int end = name;
      while (image[end] != 0) {
        end++;
      }
      result.add(new String(image, name, end - name, StandardCharsets.US_ASCII));
    }
    return result;
  }

  private static int fileOffset(ByteBuffer pe, int sectionTable, int sections, int rva) {
    for (int i = 0; i < sections; i++) {
      int entry = sectionTable + 40 * i;
      int virtualSize = pe.getInt(entry + 8);
      int virtualAddress = pe.getInt(entry + 12);
      int rawSize = pe.getInt(entry + 16);
      int rawOffset = pe.getInt(entry + 20);
      if (rva >= virtualAddress && rva < virtualAddress + Math.max(virtualSize, rawSize)) {
        return rva - virtualAddress + rawOffset;
      }
    }
    throw new AssertionError("RVA " + Integer.toHexString(rva) + " is in no section");
  }
}
