package io.deskrun.agent;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The machine's host name, read without a DNS lookup: {@code COMPUTERNAME} on Windows, {@code
 * HOSTNAME} or {@code /etc/hostname} elsewhere.
 */
final class HostNames {
  private HostNames() {}

  static String local() {
    for (String variable : new String[] {"COMPUTERNAME", "HOSTNAME"}) {
      String value = System.getenv(variable);
      if (value != null && !value.isBlank()) {
        return value.strip();
      }
    }
    try {
      String value = Files.readString(Path.of("/etc/hostname"), StandardCharsets.UTF_8).strip();
      if (!value.isEmpty()) {
        return value;
      }
    } catch (IOException e) {
      // No such file, as on macOS: fall through.
    }
    return "unknown-host";
  }
}
