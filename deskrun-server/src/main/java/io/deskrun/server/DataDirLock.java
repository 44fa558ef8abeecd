package io.deskrun.server;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * An exclusive lock on {@code <data-dir>/server.lock}, held while a server runs, so that a second
 * server (or a quickstart wiping the folder) cannot use the same data dir at the same time. The
 * operating system releases it when the process dies, so a crash leaves no stale lock.
 */
final class DataDirLock implements AutoCloseable {
  static final String FILE_NAME = "server.lock";

  private final FileChannel channel;
  private final FileLock lock;

  private DataDirLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  /** Takes the lock or raises {@link ServerStartException} naming the data dir. */
  static DataDirLock acquire(Path dataDir) {
    Path file = dataDir.resolve(FILE_NAME);
    FileChannel channel = null;
    try {
      channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      FileLock lock = channel.tryLock();
      if (lock == null) {
        throw inUse(dataDir, null);
      }
      return new DataDirLock(channel, lock);
    } catch (OverlappingFileLockException e) {
      closeQuietly(channel);
      throw inUse(dataDir, e);
    } catch (IOException e) {
      closeQuietly(channel);
      throw new ServerStartException("Cannot lock the data dir: failed to open " + file, e);
    } catch (ServerStartException e) {
      closeQuietly(channel);
      throw e;
    }
  }

  private static ServerStartException inUse(Path dataDir, Throwable cause) {
    return new ServerStartException(
        "The data dir "
            + dataDir.toAbsolutePath()
            + " is in use by another deskrun server; stop it or choose another --data-dir.",
        cause);
  }

  private static void closeQuietly(FileChannel channel) {
    if (channel == null) {
      return;
    }
    try {
      channel.close();
    } catch (IOException e) {
      // Nothing to release beyond the channel, and the start has already failed.
    }
  }

  @Override
  public void close() {
    try {
      lock.release();
      channel.close();
    } catch (IOException e) {
      // The lock goes with the channel or the process in any case.
    }
  }
}
