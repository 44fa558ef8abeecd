package io.deskrun.server.account;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Writes files that only their owner may read (POSIX mode 0600 where the file system has modes).
 */
final class SecureFiles {
  private SecureFiles() {}

  /**
   * Creates the file with the text; fails with {@link java.nio.file.FileAlreadyExistsException}
   * when it exists. The mode is set at creation, so the content is never readable by others.
   */
  static void writeOwnerOnly(Path file, String text) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
      Files.createFile(
          file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } else {
      Files.createFile(file);
    }
    Files.writeString(file, text, StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING);
  }
}
