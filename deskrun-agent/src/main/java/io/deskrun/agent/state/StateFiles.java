package io.deskrun.agent.state;

import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * File operations for the agent's state dir, which contains its credential. The dir is private to
 * the agent's user (0700) and every file in it is 0600 from the moment it is created.
 */
public final class StateFiles {
  private static final boolean POSIX =
      FileSystems.getDefault().supportedFileAttributeViews().contains("posix");

  private StateFiles() {}

  /** Creates {@code dir} and its parents if missing and restricts it to the owner (0700). */
  public static void createPrivateDirectory(Path dir) throws IOException {
    Files.createDirectories(dir);
    // TODO: on Windows, restrict the dir's ACL to the agent's account.
    if (POSIX) {
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
    }
  }

  /**
   * Replaces {@code target} with {@code bytes} so that a reader sees either the old or the new
   * content, never a partial file, also after a crash: the bytes go to a temporary file in the same
   * dir that is flushed to disk and then renamed over the target.
   */
  public static void writeAtomically(Path target, byte[] bytes) throws IOException {
    Path directory = target.toAbsolutePath().getParent();
    Path temporary = Files.createTempFile(directory, ".tmp-", ".part", ownerOnly());
    try {
      try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.WRITE)) {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        while (buffer.hasRemaining()) {
          channel.write(buffer);
        }
        channel.force(true);
      }
      Files.move(
          temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(temporary);
    }
  }

  /** Writes {@code bytes} to {@code file}, creating it as 0600 or truncating it. */
  public static void writePrivate(Path file, byte[] bytes) throws IOException {
    Set<StandardOpenOption> options =
        Set.of(
            StandardOpenOption.CREATE,
            StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING);
    try (FileChannel channel = FileChannel.open(file, options, ownerOnly())) {
      ByteBuffer buffer = ByteBuffer.wrap(bytes);
      while (buffer.hasRemaining()) {
        channel.write(buffer);
      }
    }
  }

  /**
   * Opens {@code file} for appending, creating it as 0600 when missing. A stream, not a channel: an
   * interrupt closes a FileChannel in the middle of a write, while stream writes go on.
   */
  public static FileOutputStream openForAppend(Path file) throws IOException {
    try {
      Files.createFile(file, ownerOnly());
    } catch (FileAlreadyExistsException e) {
      // Appending to the existing file is the point.
    }
    return new FileOutputStream(file.toFile(), true);
  }

  private static FileAttribute<?>[] ownerOnly() {
    if (!POSIX) {
      return new FileAttribute<?>[0];
    }
    Set<PosixFilePermission> permissions = PosixFilePermissions.fromString("rw-------");
    return new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(permissions)};
  }
}
