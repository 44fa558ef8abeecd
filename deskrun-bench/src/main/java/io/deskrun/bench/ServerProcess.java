package io.deskrun.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A deskrun server in a child JVM (see {@link ServerProcessMain}) with the same class path as this
 * one. Gives its endpoint and credentials, and measures its CPU time, heap and RSS.
 */
final class ServerProcess implements AutoCloseable {
  static final String REGION = "cn-hangzhou";
  private static final Duration START_LIMIT = Duration.ofSeconds(60);

  private final Process process;
  private final Writer commands;
  private final BlockingQueue<String> replies = new LinkedBlockingQueue<>();
  private final int port;
  private final ApiCaller api;

  private ServerProcess(Process process, Path dataDir) throws IOException {
    this.process = process;
    this.commands = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    Thread.ofVirtual().start(this::readReplies);
    String ready = awaitReply(ServerProcessMain.READY, START_LIMIT);
    this.port = Integer.parseInt(ready);
    JsonNode credentials =
        new ObjectMapper().readTree(dataDir.resolve("bootstrap-credentials.json").toFile());
    this.api =
        new ApiCaller(
            endpoint(),
            credentials.get("AccessKeyId").asText(),
            credentials.get("AccessKeySecret").asText(),
            REGION);
  }

  /**
   * Starts a server on a free port with an empty database in {@code dataDir}; with a {@code
   * recording} file, Java Flight Recorder profiles it and writes the file when it stops.
   */
  static ServerProcess start(Path dataDir, int longPollSeconds, Path recording) throws IOException {
    return start(dataDir, longPollSeconds, recording, null);
  }

  /**
   * Starts a server as {@link #start(Path, int, Path)} does, on the PostgreSQL database at {@code
   * databaseUrl} (user {@link BenchDatabase#POSTGRES_USER}) or on H2 when it is null.
   */
  static ServerProcess start(Path dataDir, int longPollSeconds, Path recording, String databaseUrl)
      throws IOException {
    Files.createDirectories(dataDir);
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElse("java"));
    if (recording != null) {
      Files.createDirectories(recording.toAbsolutePath().getParent());
      command.add(
          "-XX:StartFlightRecording=settings=profile,dumponexit=true,filename="
              + recording.toAbsolutePath());
    }
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(ServerProcessMain.class.getName());
    command.add(dataDir.toString());
    command.add(String.valueOf(longPollSeconds));
    if (databaseUrl != null) {
      command.add(databaseUrl);
    }
    Process process =
        new ProcessBuilder(command)
            .redirectError(dataDir.resolve("server.log").toFile())
            .redirectInput(ProcessBuilder.Redirect.PIPE)
            .start();
    try {
      return new ServerProcess(process, dataDir);
    } catch (IOException | RuntimeException e) {
      process.destroyForcibly();
      throw e;
    }
  }

  URI endpoint() {
    return URI.create("http://127.0.0.1:" + port);
  }

  ApiCaller api() {
    return api;
  }

  /** Returns the CPU time the server process has used so far, in seconds. */
  double cpuSeconds() {
    return process.toHandle().info().totalCpuDuration().orElse(Duration.ZERO).toNanos() / 1e9;
  }

  /** Returns the resident set size in bytes, from {@code /proc}; -1 where there is none. */
  long rssBytes() {
    Path status = Path.of("/proc", String.valueOf(process.pid()), "status");
    try {
      for (String line : Files.readAllLines(status)) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    } catch (IOException | NumberFormatException e) {
      return -1;
    }
    return -1;
  }

  /** Returns the heap in use after a full GC in the server, in bytes. */
  long heapUsedBytes() {
    send("stats");
    String reply = awaitReply(ServerProcessMain.STATS, Duration.ofSeconds(60));
    return Long.parseLong(reply.split(" ")[0]);
  }

  private void send(String line) {
    try {
      commands.write(line + "\n");
      commands.flush();
    } catch (IOException e) {
      throw new BenchException("The server process does not take commands: " + e, e);
    }
  }

  private void readReplies() {
    try (BufferedReader out =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line = out.readLine(); line != null; line = out.readLine()) {
        replies.add(line);
      }
    } catch (IOException e) {
      // The process ended; awaitReply reports it.
    }
  }

  private String awaitReply(String prefix, Duration limit) {
    long deadline = System.nanoTime() + limit.toNanos();
    try {
      while (System.nanoTime() < deadline) {
        String line = replies.poll(100, TimeUnit.MILLISECONDS);
        if (line != null && line.startsWith(prefix)) {
          return line.substring(prefix.length());
        }
        if (line == null && !process.isAlive()) {
          throw new BenchException(
              "The server process ended with exit code "
                  + process.exitValue()
                  + "; see server.log in its data dir");
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    throw new BenchException("The server process did not answer '" + prefix.strip() + "'");
  }

  @Override
  public void close() {
    try {
      send("quit");
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    } catch (BenchException e) {
      process.destroyForcibly();
    }
  }
}
