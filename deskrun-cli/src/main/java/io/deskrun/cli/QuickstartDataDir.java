package io.deskrun.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Prepares the quickstart's data directory. It is wiped on every start, so it must be empty,
 * absent, or marked as made by a quickstart: a mistyped {@code --data-dir} must not delete files.
 */
final class QuickstartDataDir {
  static final String MARKER = ".deskrun-quickstart";

  /** The lock file a running server holds in its data dir. */
  private static final String SERVER_LOCK = "server.lock";

  private QuickstartDataDir() {}

  static void prepare(Path dir) {
    try {
      if (Files.exists(dir)) {
        requireSafeToWipe(dir);
        requireNotInUse(dir);
        wipe(dir);
      }
      Files.createDirectories(dir);
      Files.writeString(
          dir.resolve(MARKER), "Made by deskrun quickstart; wiped on its next start.\n");
      // Keeps the data, including the AccessKey secret, out of git when the dir is in a checkout.
      Files.writeString(dir.resolve(".gitignore"), "*\n");
    } catch (IOException e) {
      throw new CliException(
          "Cannot prepare the quickstart data directory " + dir + ": " + e.getMessage(), e);
    }
  }

  private static void requireSafeToWipe(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      throw new CliException("--data-dir " + dir + " is a file, expected a directory");
    }
    boolean marked = Files.exists(dir.resolve(MARKER));
    if (!marked && !isEmpty(dir)) {
      throw new CliException(
          "--data-dir "
              + dir
              + " is not empty and was not made by quickstart, so it will not be wiped;"
              + " choose an empty or new directory");
    }
  }

  /** Rejects a dir whose server is still running, because wiping it would pull the data away. */
  private static void requireNotInUse(Path dir) throws IOException {
    Path lockFile = dir.resolve("server").resolve(SERVER_LOCK);
    if (!Files.exists(lockFile)) {
      return;
    }
    try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.WRITE)) {
      FileLock lock = channel.tryLock();
      if (lock != null) {
        lock.release();
        return;
      }
    } catch (OverlappingFileLockException e) {
      // This JVM holds the lock, so its server is running; report it like any other holder.
    }
    throw new CliException(
        "--data-dir "
            + dir
            + " is in use by a running quickstart or server; stop it first or choose another"
            + " --data-dir");
  }

  private static boolean isEmpty(Path dir) throws IOException {
    try (Stream<Path> entries = Files.list(dir)) {
      return entries.findAny().isEmpty();
    }
  }

  private static void wipe(Path dir) throws IOException {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(QuickstartDataDir::delete);
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }

  private static void delete(Path path) {
    try {
      Files.delete(path);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
