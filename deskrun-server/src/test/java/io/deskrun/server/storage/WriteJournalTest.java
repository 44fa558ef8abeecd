package io.deskrun.server.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.jdbi.v3.core.Handle;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Journaled writes on a real H2 file database whose process "crashes": {@code SHUTDOWN IMMEDIATELY}
 * closes H2 without writing what it keeps in memory, as a killed process would. H2 is opened with a
 * write delay of 60 s, so it does not write the rows by itself in time.
 */
class WriteJournalTest {
  /** One row of the test table, as journaled. */
  record Item(String name) {}

  /** Inserts an item unless it is stored. */
  static final WriteJournal.Kind<Item> ITEM =
      WriteJournal.Kind.idempotent("test-item", Item.class, WriteJournalTest::insertItem);

  private static final Duration NEVER = Duration.ofMinutes(10);

  @TempDir Path dir;

  @Test
  void journalDirOf_fileUrls_besideTheDatabase() {
    assertThat(Database.journalDirOf("jdbc:h2:file:/data/db/deskrun;QUERY_CACHE_SIZE=128"))
        .isEqualTo(Path.of("/data/db/deskrun.journal"));
    assertThat(Database.journalDirOf("jdbc:h2:/data/db/deskrun"))
        .isEqualTo(Path.of("/data/db/deskrun.journal"));
    assertThat(Database.journalDirOf("jdbc:h2:~/deskrun"))
        .isEqualTo(Path.of(System.getProperty("user.home") + "/deskrun.journal"));
    assertThat(Database.journalDirOf("jdbc:h2:mem:test;DB_CLOSE_DELAY=-1")).isNull();
    assertThat(Database.journalDirOf("jdbc:h2:tcp://localhost/~/test")).isNull();
  }

  @Test
  void crash_journaledWrites_appliedAtNextStart() throws Exception {
    writeThenCrash(20);

    try (Database database = open()) {
      assertThat(names(database)).isEmpty();

      database.startJournal(List.of(ITEM), NEVER);

      assertThat(names(database)).containsExactlyInAnyOrderElementsOf(expectedNames(20));
      assertThat(journalFiles()).hasSize(1);
    }
    assertThat(journalFiles()).isEmpty();
  }

  /** The control: the same writes without journal records are lost in the crash. */
  @Test
  void crash_volatileWrites_lost() throws Exception {
    try (Database database = open()) {
      createTable(database);
      database.startJournal(List.of(ITEM), NEVER);
      GroupCommit writes = new GroupCommit(database.jdbi());
      for (String name : expectedNames(20)) {
        writes.runVolatile(handle -> insertItem(handle, new Item(name)));
      }
      crash();
    }

    try (Database database = open()) {
      database.startJournal(List.of(ITEM), NEVER);

      assertThat(names(database)).isEmpty();
    }
  }

  @Test
  void crash_lastRecordCutOff_earlierApplied() throws Exception {
    writeThenCrash(20);
    Path file = journalFiles().getLast();
    byte[] bytes = Files.readAllBytes(file);
    Files.write(file, Arrays.copyOf(bytes, bytes.length - 3));

    try (Database database = open()) {
      database.startJournal(List.of(ITEM), NEVER);

      assertThat(names(database)).containsExactlyInAnyOrderElementsOf(expectedNames(19));
    }
  }

  @Test
  void crash_recordDamaged_earlierApplied() throws Exception {
    writeThenCrash(20);
    Path file = journalFiles().getLast();
    int tenth = offsetOfRecord(file, 10);
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
      channel.write(ByteBuffer.wrap(new byte[] {'#'}), tenth + 12);
    }

    try (Database database = open()) {
      database.startJournal(List.of(ITEM), NEVER);

      assertThat(names(database)).containsExactlyInAnyOrderElementsOf(expectedNames(10));
    }
  }

  @Test
  void start_unknownKind_failsNamingIt() throws Exception {
    writeThenCrash(3);

    try (Database database = open()) {
      assertThatThrownBy(() -> database.startJournal(List.of(), NEVER))
          .hasMessageContaining("unknown kind \"test-item\"")
          .hasMessageContaining(dir.resolve("db.journal").toString());
    }
    assertThat(journalFiles()).isNotEmpty();
  }

  @Test
  void rotate_afterCheckpoint_oldFilesDeleted() throws Exception {
    try (Database database = open()) {
      createTable(database);
      database.startJournal(List.of(ITEM), Duration.ofMillis(50));
      GroupCommit writes = new GroupCommit(database.jdbi());
      writes.runJournaled(ITEM, new Item("first"));
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (journalBytes() > 0 && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }

      assertThat(journalBytes()).isZero();
      assertThat(journalFiles()).hasSize(1);
      crash();
    }

    try (Database database = open()) {
      assertThat(names(database)).containsExactly("first");
    }
  }

  private void writeThenCrash(int count) throws Exception {
    try (Database database = open()) {
      createTable(database);
      database.startJournal(List.of(ITEM), NEVER);
      GroupCommit writes = new GroupCommit(database.jdbi());
      for (String name : expectedNames(count)) {
        assertThat(writes.runJournaled(ITEM, new Item(name))).isEqualTo(1);
      }
      crash();
    }
    assertThat(journalFiles()).isNotEmpty();
  }

  private static List<String> expectedNames(int count) {
    return IntStream.range(0, count).mapToObj(i -> "item-" + i).toList();
  }

  private String url() {
    return "jdbc:h2:file:" + dir.resolve("db") + ";WRITE_DELAY=60000";
  }

  private Database open() {
    return Database.open(url(), "", "");
  }

  /** Creates the table; the write waits for a checkpoint, so the table survives the crash. */
  private static void createTable(Database database) {
    database.jdbi().useHandle(h -> h.execute("CREATE TABLE items (name VARCHAR(64) PRIMARY KEY)"));
  }

  /** Closes H2 without writing its memory to the file, as a killed process would. */
  private void crash() throws Exception {
    try (Connection connection = DriverManager.getConnection(url(), "", "");
        Statement statement = connection.createStatement()) {
      statement.execute("SHUTDOWN IMMEDIATELY");
    }
  }

  private static int insertItem(Handle handle, Item item) {
    return handle
        .createUpdate("MERGE INTO items KEY (name) VALUES (:name)")
        .bind("name", item.name())
        .execute();
  }

  private static List<String> names(Database database) {
    return database
        .jdbi()
        .withHandle(h -> h.createQuery("SELECT name FROM items").mapTo(String.class).list());
  }

  private List<Path> journalFiles() throws IOException {
    Path journal = dir.resolve("db.journal");
    if (!Files.isDirectory(journal)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(journal)) {
      return files.sorted().toList();
    }
  }

  private long journalBytes() throws IOException {
    long total = 0;
    for (Path file : journalFiles()) {
      total += Files.size(file);
    }
    return total;
  }

  /** Returns where record {@code index} (from 0) of the file begins. */
  private static int offsetOfRecord(Path file, int index) throws IOException {
    ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(file));
    for (int i = 0; i < index; i++) {
      int length = bytes.getInt();
      bytes.position(bytes.position() + 4 + length);
    }
    return bytes.position();
  }
}
