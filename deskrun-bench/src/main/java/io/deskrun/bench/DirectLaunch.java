package io.deskrun.bench;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/** The baseline: the script launched with ProcessBuilder, as a simulated agent launches it. */
final class DirectLaunch {
  private DirectLaunch() {}

  /** Runs {@code sh -c script} to its end, reading its output; returns the elapsed ms. */
  static double once(String script) {
    long start = System.nanoTime();
    run(script);
    return (System.nanoTime() - start) / 1e6;
  }

  /** Runs {@code count} launches at once, each on its own thread; returns the ms until all end. */
  static double parallel(int count, String script) {
    long start = System.nanoTime();
    try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<?>> runs = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        runs.add(executor.submit(() -> run(script)));
      }
      for (Future<?> run : runs) {
        run.get(60, TimeUnit.SECONDS);
      }
    } catch (Exception e) {
      throw new BenchException("A direct launch of the script failed: " + e, e);
    }
    return (System.nanoTime() - start) / 1e6;
  }

  private static void run(String script) {
    try {
      Process process = new ProcessBuilder("sh", "-c", script).redirectErrorStream(true).start();
      try (InputStream out = process.getInputStream()) {
        out.readAllBytes();
      }
      if (process.waitFor() != 0) {
        throw new BenchException("sh -c '" + script + "' exited with " + process.exitValue());
      }
    } catch (IOException e) {
      throw new BenchException("Cannot launch sh: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BenchException("Interrupted while running sh", e);
    }
  }
}
