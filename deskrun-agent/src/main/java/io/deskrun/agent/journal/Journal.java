package io.deskrun.agent.journal;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.deskrun.agent.state.StateFiles;
import io.deskrun.protocol.RunReport;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's on-disk record of every run it started, which makes execution at-most-once.
 *
 * <p>{@code journal.log} is an append-only list of lines {@code started <invokeId> <epochMillis>},
 * {@code process <invokeId> <pid> <startEpochMillis>} and {@code confirmed <invokeId>
 * <epochMillis>}. A {@code started} line is flushed to disk before the script is launched, and an
 * id found in the journal is not launched again. So even after a crash at any point, an id is
 * launched at most once while the journal remembers it. A final result is stored in {@code
 * results/} before it is sent and deleted once the server confirms it, which a {@code confirmed}
 * line then records. The log is rewritten without confirmed ids older than the retention period,
 * and without the oldest confirmed ids beyond a maximum count, so it does not grow without bound.
 * Thread-safe.
 */
public final class Journal implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Journal.class);
  private static final String LOG_FILE = "journal.log";
  private static final String RESULTS_DIR = "results";
  private static final int APPENDS_BETWEEN_COMPACTIONS = 1000;

  private final Path directory;
  private final Path results;
  private final InstantSource clock;
  private final Duration retention;
  private final int maxConfirmed;
  private final ObjectMapper json =
      new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
  private final Map<String, Entry> entries = new LinkedHashMap<>();
  private final List<String> unfinishedAtOpen;
  private FileOutputStream log;
  private int appendsSinceCompaction;

  private static final class Entry {
    final Instant started;
    boolean hasResult;
    Instant confirmed;
    RecordedProcess process;

    Entry(Instant started) {
      this.started = started;
    }
  }

  private Journal(Path directory, InstantSource clock, Duration retention, int maxConfirmed) {
    this.directory = directory;
    this.results = directory.resolve(RESULTS_DIR);
    this.clock = clock;
    this.retention = retention;
    this.maxConfirmed = maxConfirmed;
    this.unfinishedAtOpen = new ArrayList<>();
  }

  /**
   * Opens the journal in {@code directory}, creating it when missing, and compacts it.
   *
   * @param retention how long a confirmed id is still remembered
   * @param maxConfirmed how many confirmed ids are remembered at most
   */
  public static Journal open(
      Path directory, InstantSource clock, Duration retention, int maxConfirmed)
      throws IOException {
    Journal journal = new Journal(directory, clock, retention, maxConfirmed);
    StateFiles.createPrivateDirectory(directory);
    StateFiles.createPrivateDirectory(journal.results);
    journal.load();
    journal.compact();
    return journal;
  }

  /**
   * Records that {@code invokeId} is about to start, on disk, and returns true; returns false
   * without writing when the id is already in the journal, so it must not be launched.
   */
  public synchronized boolean tryStart(String invokeId) throws IOException {
    requireValidId(invokeId);
    if (entries.containsKey(invokeId)) {
      return false;
    }
    Instant now = clock.instant();
    append("started " + invokeId + " " + now.toEpochMilli());
    entries.put(invokeId, new Entry(now));
    return true;
  }

  /**
   * Records the script process of a started run, so that an agent restarted after a crash can find
   * and kill it.
   *
   * @param startEpochMillis the process's start time, which distinguishes it from a later process
   *     that reuses the pid
   */
  public synchronized void recordProcess(String invokeId, long pid, long startEpochMillis)
      throws IOException {
    Entry entry = entries.get(invokeId);
    if (entry == null) {
      throw new IllegalStateException("run " + invokeId + " has no started entry in the journal");
    }
    append("process " + invokeId + " " + pid + " " + startEpochMillis);
    entry.process = new RecordedProcess(pid, startEpochMillis);
  }

  /** Returns the script process recorded for {@code invokeId}, if any. */
  public synchronized Optional<RecordedProcess> recordedProcess(String invokeId) {
    Entry entry = entries.get(invokeId);
    return entry == null ? Optional.empty() : Optional.ofNullable(entry.process);
  }

  /** The pid and start time of a run's script process. */
  public record RecordedProcess(long pid, long startEpochMillis) {}

  /** Tells whether {@code invokeId} was ever started (and is not yet compacted away). */
  public synchronized boolean contains(String invokeId) {
    return entries.containsKey(invokeId);
  }

  /** Stores the final result of a started run on disk, replacing any earlier one. */
  public synchronized void storeResult(RunReport report) throws IOException {
    Entry entry = entries.get(report.invokeId());
    if (entry == null) {
      throw new IllegalStateException(
          "run " + report.invokeId() + " has no started entry in the journal");
    }
    StateFiles.writeAtomically(resultFile(report.invokeId()), json.writeValueAsBytes(report));
    entry.hasResult = true;
  }

  /** Returns the stored, not yet confirmed result of {@code invokeId}. */
  public synchronized Optional<RunReport> storedResult(String invokeId) {
    Entry entry = entries.get(invokeId);
    if (entry == null || !entry.hasResult) {
      return Optional.empty();
    }
    return readResult(invokeId);
  }

  /** Returns every stored result that the server has not confirmed yet. */
  public synchronized List<RunReport> unconfirmedResults() {
    List<RunReport> reports = new ArrayList<>();
    for (Map.Entry<String, Entry> entry : entries.entrySet()) {
      if (entry.getValue().hasResult) {
        readResult(entry.getKey()).ifPresent(reports::add);
      }
    }
    return reports;
  }

  /**
   * Returns the ids that were started before this journal was opened but have no result: their runs
   * were cut short by a crash or a kill of the agent.
   */
  public synchronized List<String> unfinishedAtOpen() {
    return List.copyOf(unfinishedAtOpen);
  }

  /** Records that the server accepted the final result of {@code invokeId} and deletes it. */
  public synchronized void confirm(String invokeId) throws IOException {
    Entry entry = entries.get(invokeId);
    if (entry == null || entry.confirmed != null) {
      return;
    }
    Instant now = clock.instant();
    append("confirmed " + invokeId + " " + now.toEpochMilli());
    entry.confirmed = now;
    entry.hasResult = false;
    Files.deleteIfExists(resultFile(invokeId));
    if (appendsSinceCompaction >= APPENDS_BETWEEN_COMPACTIONS) {
      compact();
    }
  }

  /**
   * Rewrites the log without confirmed ids past the retention period or beyond the maximum count.
   */
  public synchronized void compact() throws IOException {
    dropExpired();
    StringBuilder text = new StringBuilder();
    for (Map.Entry<String, Entry> item : entries.entrySet()) {
      Entry entry = item.getValue();
      text.append("started ").append(item.getKey()).append(' ');
      text.append(entry.started.toEpochMilli()).append('\n');
      if (entry.process != null && entry.confirmed == null) {
        text.append("process ").append(item.getKey()).append(' ');
        text.append(entry.process.pid()).append(' ');
        text.append(entry.process.startEpochMillis()).append('\n');
      }
      if (entry.confirmed != null) {
        text.append("confirmed ").append(item.getKey()).append(' ');
        text.append(entry.confirmed.toEpochMilli()).append('\n');
      }
    }
    closeLog();
    StateFiles.writeAtomically(
        directory.resolve(LOG_FILE), text.toString().getBytes(StandardCharsets.UTF_8));
    appendsSinceCompaction = 0;
  }

  @Override
  public synchronized void close() throws IOException {
    closeLog();
  }

  private void dropExpired() {
    Instant oldest = clock.instant().minus(retention);
    long confirmedCount = entries.values().stream().filter(e -> e.confirmed != null).count();
    Iterator<Entry> iterator = entries.values().iterator();
    while (iterator.hasNext()) {
      Entry entry = iterator.next();
      if (entry.confirmed == null) {
        continue;
      }
      if (entry.confirmed.isBefore(oldest) || confirmedCount > maxConfirmed) {
        iterator.remove();
        confirmedCount--;
      }
    }
  }

  private void load() throws IOException {
    Path file = directory.resolve(LOG_FILE);
    if (Files.exists(file)) {
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        apply(line);
      }
    }
    try (Stream<Path> files = Files.list(results)) {
      files.forEach(this::markResult);
    }
    for (Map.Entry<String, Entry> entry : entries.entrySet()) {
      if (entry.getValue().confirmed == null && !entry.getValue().hasResult) {
        unfinishedAtOpen.add(entry.getKey());
      }
    }
  }

  private void apply(String line) {
    String[] fields = line.split(" ");
    if (fields.length < 3 || !allDigits(fields, 2)) {
      // A crash can leave a partly written last line; the id it names was never launched.
      LOG.warn("journal line ignored because it is not <kind> <invokeId> <number>...: {}", line);
      return;
    }
    if (fields[0].equals("process")) {
      applyProcess(fields, line);
      return;
    }
    Instant time = Instant.ofEpochMilli(Long.parseLong(fields[2]));
    switch (fields[0]) {
      case "started" -> entries.putIfAbsent(fields[1], new Entry(time));
      case "confirmed" -> {
        Entry entry = entries.computeIfAbsent(fields[1], id -> new Entry(time));
        entry.confirmed = time;
      }
      default -> LOG.warn("journal line ignored because its kind is unknown: {}", line);
    }
  }

  private void applyProcess(String[] fields, String line) {
    Entry entry = entries.get(fields[1]);
    if (fields.length != 4 || entry == null) {
      LOG.warn("journal line ignored because it names no started run or lacks a field: {}", line);
      return;
    }
    entry.process = new RecordedProcess(Long.parseLong(fields[2]), Long.parseLong(fields[3]));
  }

  private static boolean allDigits(String[] fields, int from) {
    for (int i = from; i < fields.length; i++) {
      if (fields[i].isEmpty() || fields[i].length() > 18) {
        return false;
      }
      if (!fields[i].chars().allMatch(c -> c >= '0' && c <= '9')) {
        return false;
      }
    }
    return true;
  }

  private void markResult(Path file) {
    String name = file.getFileName().toString();
    if (!name.endsWith(".json")) {
      return;
    }
    String invokeId = decodeId(name.substring(0, name.length() - ".json".length()));
    Entry entry = entries.get(invokeId);
    if (entry != null && entry.confirmed == null) {
      entry.hasResult = true;
    }
  }

  private Optional<RunReport> readResult(String invokeId) {
    try {
      return Optional.of(json.readValue(resultFile(invokeId).toFile(), RunReport.class));
    } catch (IOException e) {
      LOG.warn("stored result of run {} cannot be read", invokeId, e);
      return Optional.empty();
    }
  }

  private void append(String line) throws IOException {
    if (log == null) {
      log = StateFiles.openForAppend(directory.resolve(LOG_FILE));
    }
    // Stream writes and fsync are not interruptible, so a poll thread interrupted by a stop cannot
    // leave a started line half written or close the log for every later write.
    log.write((line + "\n").getBytes(StandardCharsets.UTF_8));
    log.getFD().sync();
    appendsSinceCompaction++;
  }

  private void closeLog() throws IOException {
    if (log != null) {
      log.close();
      log = null;
    }
  }

  private Path resultFile(String invokeId) {
    String name =
        Base64.getUrlEncoder()
            .withoutPadding()
            .encodeToString(invokeId.getBytes(StandardCharsets.UTF_8));
    return results.resolve(name + ".json");
  }

  private static String decodeId(String name) {
    try {
      return new String(Base64.getUrlDecoder().decode(name), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return "";
    }
  }

  private static void requireValidId(String invokeId) {
    if (invokeId == null
        || invokeId.isEmpty()
        || invokeId.length() > 200
        || !invokeId.chars().allMatch(c -> c > 0x20 && c < 0x7F)) {
      throw new IllegalArgumentException(
          "invoke id must be 1 to 200 printable ASCII characters without spaces, got \""
              + invokeId
              + "\"");
    }
  }
}
