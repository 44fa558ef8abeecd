package io.deskrun.server.storage;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The child process of {@link H2FlushTest}: inserts rows from several threads and prints the name
 * of each row once its insert has returned, until the test kills it.
 *
 * <p>Arguments: the database URL, {@code jdbi} (through {@link Database}, as the server writes) or
 * {@code plain-jdbc} (a connection of its own, which nothing flushes), and the number of threads.
 */
public final class H2FlushWriter {
  /** Printed once the database is open. */
  static final String READY = "ready";

  /** Prefix of the line printed after each insert returned. */
  static final String WRITTEN = "written ";

  private H2FlushWriter() {}

  public static void main(String[] args) throws Exception {
    String url = args[0];
    boolean throughJdbi = args[1].equals("jdbi");
    int threads = Integer.parseInt(args[2]);
    Database database = Database.open(url, "", "");
    database.jdbi().useHandle(h -> h.execute("CREATE TABLE items (name VARCHAR(64) PRIMARY KEY)"));
    System.out.println(READY);

    try (ExecutorService writers = Executors.newFixedThreadPool(threads)) {
      for (int thread = 0; thread < threads; thread++) {
        int number = thread;
        writers.submit(
            () -> {
              if (throughJdbi) {
                writeThroughJdbi(database, number);
              } else {
                writeWithPlainJdbc(url, number);
              }
              return null;
            });
      }
    }
  }

  private static void writeThroughJdbi(Database database, int thread) {
    for (int i = 0; ; i++) {
      String name = thread + "-" + i;
      database
          .jdbi()
          .useHandle(
              h -> h.createUpdate("INSERT INTO items VALUES (:name)").bind("name", name).execute());
      System.out.println(WRITTEN + name);
    }
  }

  private static void writeWithPlainJdbc(String url, int thread) throws Exception {
    try (Connection connection = DriverManager.getConnection(url, "", "");
        PreparedStatement insert = connection.prepareStatement("INSERT INTO items VALUES (?)")) {
      for (int i = 0; ; i++) {
        String name = thread + "-" + i;
        insert.setString(1, name);
        insert.executeUpdate();
        System.out.println(WRITTEN + name);
      }
    }
  }
}
