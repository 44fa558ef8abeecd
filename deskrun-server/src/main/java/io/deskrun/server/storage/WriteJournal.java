package io.deskrun.server.storage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.deskrun.server.support.JsonMappers;
import io.deskrun.server.support.SecureFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An append-only file of the frequent writes on H2, written before their callers go on, so that H2
 * itself may write its file every few seconds.
 *
 * <p>Without it every RunCommand and every final report waited for an H2 {@code CHECKPOINT}, which
 * rewrites each changed page with its parents up to the root (about 30 KB a write here): a third of
 * the server's CPU in the control-plane benchmark. A journal record is a few hundred bytes.
 *
 * <p>A write is committed in H2 first and recorded here afterwards, in the order of its commits, so
 * a record in a file always describes a committed write. Every {@code rotateInterval} the journal
 * moves on to a new file, H2 runs a checkpoint, and the files before the new one are deleted: their
 * writes were committed before the checkpoint began, so H2's file contains them. At start the
 * records left are applied again in order; each kind of write applies its record so that applying
 * it twice changes nothing.
 *
 * <p>NOTE: the journal is written without syncing, like the checkpoints: its records survive a
 * killed process, but not necessarily an operating system crash.
 */
public final class WriteJournal implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(WriteJournal.class);

  /** Default interval between moving to a new journal file and writing H2's file. */
  public static final Duration DEFAULT_ROTATE_INTERVAL = Duration.ofSeconds(5);

  /** Bytes before each record: its length and its CRC-32C. */
  private static final int HEADER_BYTES = 8;

  /** Larger lengths can only come from a damaged file. */
  private static final int MAX_RECORD_BYTES = 64 * 1024 * 1024;

  private static final String SUFFIX = ".log";

  /** Applies a record to the database; returns the number of rows it changed. */
  @FunctionalInterface
  public interface Apply<R> {
    int apply(Handle handle, R record);
  }

  /**
   * A kind of journaled write.
   *
   * @param name how records of this kind are marked in the file; never change it
   * @param type the record class, written and read as JSON
   * @param live the write as it runs while the server serves
   * @param replay the same write applied again at start; it must change nothing when the database
   *     already contains it
   */
  public record Kind<R>(String name, Class<R> type, Apply<R> live, Apply<R> replay) {
    /** Creates a kind whose write changes nothing when applied a second time. */
    public static <R> Kind<R> idempotent(String name, Class<R> type, Apply<R> write) {
      return new Kind<>(name, type, write, write);
    }
  }

  /** One write to record: its kind and its record. */
  public record Entry<R>(Kind<R> kind, R record) {}

  /** A record as stored: the kind's name and the record as JSON. */
  private record Stored(String kind, Object record) {}

  private final Path dir;
  private final H2Flush flush;
  private final ObjectMapper mapper = JsonMappers.create();
  private final ReentrantLock lock = new ReentrantLock();

  /** The file appended to, guarded by {@link #lock}; null until started and after closing. */
  private FileChannel current;

  /** Sequence number of {@link #current}, guarded by {@link #lock}. */
  private long currentSequence;

  /** Bytes appended to {@link #current}, guarded by {@link #lock}. */
  private long currentBytes;

  /** Whether records are taken now: after {@link #start} and before {@link #close}. */
  private volatile boolean open;

  private ScheduledExecutorService rotator;

  WriteJournal(Path dir, H2Flush flush) {
    this.dir = dir;
    this.flush = flush;
  }

  /**
   * Applies the records left by the previous run, writes them to H2's file, deletes the old files,
   * and starts taking new records, with a new file every {@code rotateInterval}.
   */
  void start(Jdbi jdbi, Collection<Kind<?>> kinds, Duration rotateInterval) {
    Map<String, Kind<?>> byName = new HashMap<>();
    kinds.forEach(kind -> byName.put(kind.name(), kind));
    try {
      createPrivateDirectory(dir);
      List<Path> files = files();
      int replayed = replay(jdbi, files, byName);
      flush.awaitWritten();
      for (Path file : files) {
        Files.delete(file);
      }
      if (replayed > 0) {
        LOG.info("Applied {} writes again from the write journal in {}", replayed, dir);
      }
      long next = files.isEmpty() ? 1 : sequenceOf(files.getLast()) + 1;
      lock.lock();
      try {
        openFile(next);
      } finally {
        lock.unlock();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot open the write journal in " + dir + ": " + e.getMessage(), e);
    }
    rotator =
        Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("deskrun-journal").daemon().factory());
    long millis = rotateInterval.toMillis();
    rotator.scheduleWithFixedDelay(this::rotateQuietly, millis, millis, TimeUnit.MILLISECONDS);
    open = true;
  }

  /** Tells whether records are taken now: after {@link #start} and before {@link #close}. */
  boolean isOpen() {
    return open;
  }

  /** Appends the records in one write to the file; they survive a killed process on return. */
  void append(List<Entry<?>> entries) throws IOException {
    ByteBuffer frames = encode(entries);
    lock.lock();
    try {
      if (current == null) {
        throw new IOException("The write journal in " + dir + " is closed");
      }
      while (frames.hasRemaining()) {
        currentBytes += current.write(frames);
      }
    } finally {
      lock.unlock();
    }
  }

  private ByteBuffer encode(List<Entry<?>> entries) throws IOException {
    List<byte[]> payloads = new ArrayList<>(entries.size());
    int size = 0;
    for (Entry<?> entry : entries) {
      byte[] payload = mapper.writeValueAsBytes(new Stored(entry.kind().name(), entry.record()));
      payloads.add(payload);
      size += HEADER_BYTES + payload.length;
    }
    ByteBuffer frames = ByteBuffer.allocate(size);
    for (byte[] payload : payloads) {
      CRC32C crc = new CRC32C();
      crc.update(payload);
      frames.putInt(payload.length).putInt((int) crc.getValue()).put(payload);
    }
    return frames.flip();
  }

  private void rotateQuietly() {
    try {
      rotate();
    } catch (RuntimeException | IOException e) {
      LOG.warn(
          "Failed to write H2's file and trim the write journal in {}; trying again in the next"
              + " round: {}",
          dir,
          e.toString());
    }
  }

  /**
   * Moves on to a new file when the current one has records, writes H2's file, and deletes the
   * files before the new one.
   */
  void rotate() throws IOException {
    long firstKept;
    lock.lock();
    try {
      if (current == null || currentBytes == 0) {
        return;
      }
      current.close();
      openFile(currentSequence + 1);
      firstKept = currentSequence;
    } finally {
      lock.unlock();
    }

    flush.awaitWritten();
    for (Path file : files()) {
      if (sequenceOf(file) < firstKept) {
        Files.delete(file);
      }
    }
  }

  private void openFile(long sequence) throws IOException {
    Set<StandardOpenOption> options =
        Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    current = FileChannel.open(fileOf(sequence), options, SecureFiles.ownerOnlyFile());
    currentSequence = sequence;
    currentBytes = 0;
  }

  private Path fileOf(long sequence) {
    return dir.resolve("%020d%s".formatted(sequence, SUFFIX));
  }

  private static long sequenceOf(Path file) {
    String name = file.getFileName().toString();
    return Long.parseLong(name.substring(0, name.length() - SUFFIX.length()));
  }

  /** Returns the journal files, oldest first. */
  private List<Path> files() throws IOException {
    try (Stream<Path> listing = Files.list(dir)) {
      return listing
          .filter(file -> file.getFileName().toString().matches("\\d{20}\\.log"))
          .sorted()
          .toList();
    }
  }

  private int replay(Jdbi jdbi, List<Path> files, Map<String, Kind<?>> kinds) throws IOException {
    int replayed = 0;
    for (Path file : files) {
      List<Entry<?>> entries = read(file, kinds);
      jdbi.useTransaction(
          handle -> {
            for (Entry<?> entry : entries) {
              replayOne(handle, entry);
            }
            flush.release(handle);
          });
      replayed += entries.size();
    }
    return replayed;
  }

  private static <R> void replayOne(Handle handle, Entry<R> entry) {
    entry.kind().replay().apply(handle, entry.record());
  }

  /**
   * Reads the records of a file. The end of the last file may contain a record cut off by a killed
   * process. Its caller never got a response, so reading stops there.
   */
  private List<Entry<?>> read(Path file, Map<String, Kind<?>> kinds) throws IOException {
    ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(file));
    List<Entry<?>> entries = new ArrayList<>();
    while (bytes.remaining() >= HEADER_BYTES) {
      int start = bytes.position();
      int length = bytes.getInt();
      int expectedCrc = bytes.getInt();
      if (length < 0 || length > MAX_RECORD_BYTES || length > bytes.remaining()) {
        warnCutOff(file, start, "a record longer than the rest of the file");
        return entries;
      }
      byte[] payload = new byte[length];
      bytes.get(payload);
      CRC32C crc = new CRC32C();
      crc.update(payload);
      if ((int) crc.getValue() != expectedCrc) {
        warnCutOff(file, start, "a record whose checksum does not match");
        return entries;
      }
      entries.add(decode(file, payload, kinds));
    }
    if (bytes.hasRemaining()) {
      warnCutOff(file, bytes.position(), "a cut-off record header");
    }
    return entries;
  }

  private static void warnCutOff(Path file, int offset, String found) {
    LOG.warn(
        "The write journal file {} ends with {} at byte {}; the writes before it are applied, the"
            + " rest of the file is skipped",
        file,
        found,
        offset);
  }

  private Entry<?> decode(Path file, byte[] payload, Map<String, Kind<?>> kinds)
      throws IOException {
    JsonNode node = mapper.readTree(payload);
    String name = node.path("kind").asText();
    Kind<?> kind = kinds.get(name);
    if (kind == null) {
      throw new IOException(
          "The write journal file "
              + file
              + " holds a write of the unknown kind \""
              + name
              + "\"; it was written by another version of the server. Start that version once"
              + " and stop it cleanly, which applies and removes the journal.");
    }
    return entryOf(kind, node.get("record"));
  }

  private <R> Entry<R> entryOf(Kind<R> kind, JsonNode record) throws IOException {
    return new Entry<>(kind, mapper.treeToValue(record, kind.type()));
  }

  /** Creates the directory readable by its owner only, where the file system has modes. */
  private static void createPrivateDirectory(Path dir) throws IOException {
    if (Files.isDirectory(dir)) {
      return;
    }
    Files.createDirectories(dir.toAbsolutePath().getParent());
    Files.createDirectory(dir, SecureFiles.ownerOnlyDirectory());
  }

  /**
   * Stops taking records, writes H2's file and deletes the journal. When that write fails the files
   * stay and are applied at the next start.
   */
  @Override
  public void close() {
    open = false;
    if (rotator != null) {
      rotator.shutdownNow();
      awaitQuietly(rotator);
    }
    lock.lock();
    try {
      if (current == null) {
        return;
      }
      current.close();
      current = null;
      flush.awaitWritten();
      for (Path file : files()) {
        Files.delete(file);
      }
    } catch (IOException | RuntimeException e) {
      LOG.warn(
          "Failed to write H2's file on closing; the write journal in {} is kept and applied at"
              + " the next start: {}",
          dir,
          e.toString());
    } finally {
      lock.unlock();
    }
  }

  private static void awaitQuietly(ScheduledExecutorService executor) {
    try {
      executor.awaitTermination(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
