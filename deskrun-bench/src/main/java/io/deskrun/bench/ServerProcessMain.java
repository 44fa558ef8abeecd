package io.deskrun.bench;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import io.deskrun.server.DeskrunServer;
import io.deskrun.server.ServerConfig;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.slf4j.LoggerFactory;

/**
 * Runs a deskrun server in its own JVM for the benchmark, so that its CPU time, heap and RSS are
 * its own. Arguments: the data dir, the long-poll wait in seconds and, optionally, the JDBC URL of
 * a PostgreSQL database (user {@code postgres}, no password). It prints {@code bench-ready <port>},
 * then answers the lines {@code stats} (heap after a full GC) and {@code quit} on standard input;
 * the end of standard input also stops it.
 */
public final class ServerProcessMain {
  static final String READY = "bench-ready ";
  static final String STATS = "bench-stats ";

  private ServerProcessMain() {}

  public static void main(String[] args) throws IOException {
    quietLogs();
    ServerConfig config =
        ServerConfig.forDataDir(Path.of(args[0]))
            .withLongPollWait(Duration.ofSeconds(Integer.parseInt(args[1])))
            // The per-AccessKey and per-agent rate limits are policy, not capacity: left on,
            // they would cap both sides of the throughput scenario at the same rate.
            .withApiRateLimit(0)
            .withAgentPollRateLimit(0);
    if (args.length > 2) {
      config =
          config.withDatabaseUrl(args[2]).withDatabaseCredentials(BenchDatabase.POSTGRES_USER, "");
    }
    try (DeskrunServer server = DeskrunServer.start(config)) {
      System.out.println(READY + server.port());
      System.out.flush();
      serveCommands();
    }
  }

  private static void serveCommands() throws IOException {
    BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    for (String line = in.readLine(); line != null; line = in.readLine()) {
      if (line.equals("quit")) {
        return;
      }
      if (line.equals("stats")) {
        System.out.println(STATS + heapAfterGc());
        System.out.flush();
      }
    }
  }

  /** Returns {@code used committed} heap bytes after two full collections. */
  private static String heapAfterGc() {
    System.gc();
    System.gc();
    MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
    return heap.getUsed() + " " + heap.getCommitted();
  }

  /** Logs warnings only: per-run INFO lines would measure the console, not the server. */
  private static void quietLogs() {
    if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
      context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).setLevel(Level.WARN);
    }
  }
}
