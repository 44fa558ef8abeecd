package io.deskrun.server.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Files and directories that only their owner may read (POSIX modes 0600 and 0700 where the file
 * system has modes).
 */
public final class SecureFiles {
  private SecureFiles() {}

  /**
   * Creates the file with the text; fails with {@link java.nio.file.FileAlreadyExistsException}
   * when it exists. The mode is set at creation, so the content is never readable by others.
   */
  public static void writeOwnerOnly(Path file, String text) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    Files.createFile(file, ownerOnlyFile());
    Files.writeString(file, text, StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING);
  }

  /** Returns the attributes that create a file readable and writable by its owner only. */
  public static FileAttribute<?>[] ownerOnlyFile() {
    return modes("rw-------");
  }

  /** Returns the attributes that create a directory its owner only may list and enter. */
  public static FileAttribute<?>[] ownerOnlyDirectory() {
    return modes("rwx------");
  }

  /** Returns the POSIX permissions as a creation attribute, or none where there are no modes. */
  private static FileAttribute<?>[] modes(String permissions) {
    if (!FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
      return new FileAttribute<?>[0];
    }
    return new FileAttribute<?>[] {
      PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(permissions))
    };
  }
}
