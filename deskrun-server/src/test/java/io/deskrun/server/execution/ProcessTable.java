package io.deskrun.server.execution;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/** Looks at this machine's process table and at this JVM's heap. */
final class ProcessTable {
  private ProcessTable() {}

  /**
   * Returns the live processes whose environment contains {@code DESKRUN_INVOKE_ID=invokeId}, which
   * every process a run starts inherits, whatever session or parent it ends up with.
   */
  static List<ProcessHandle> processesOf(String invokeId) {
    byte[] marker = ("DESKRUN_INVOKE_ID=" + invokeId).getBytes(StandardCharsets.UTF_8);
    return ProcessHandle.allProcesses().filter(p -> environmentHolds(p.pid(), marker)).toList();
  }

  /** Waits up to {@code limit} for the run's processes to be gone and returns those left. */
  static List<ProcessHandle> awaitGone(String invokeId, Duration limit)
      throws InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    List<ProcessHandle> left = processesOf(invokeId);
    while (!left.isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(50);
      left = processesOf(invokeId);
    }
    return left;
  }

  /** Waits up to {@code limit} until at least {@code count} processes of the run exist. */
  static List<ProcessHandle> awaitAtLeast(String invokeId, int count, Duration limit)
      throws InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    List<ProcessHandle> found = processesOf(invokeId);
    while (found.size() < count && System.nanoTime() < deadline) {
      Thread.sleep(50);
      found = processesOf(invokeId);
    }
    return found;
  }

  static void killAll(String invokeId) {
    processesOf(invokeId).forEach(ProcessHandle::destroyForcibly);
  }

  private static boolean environmentHolds(long pid, byte[] marker) {
    byte[] environment;
    try {
      environment = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "environ"));
    } catch (IOException e) {
      return false;
    }
    int start = 0;
    for (int i = 0; i <= environment.length; i++) {
      if (i == environment.length || environment[i] == 0) {
        if (i - start == marker.length && regionEquals(environment, start, marker)) {
          return true;
        }
        start = i + 1;
      }
    }
    return false;
  }

  private static boolean regionEquals(byte[] data, int offset, byte[] expected) {
    for (int i = 0; i < expected.length; i++) {
      if (data[offset + i] != expected[i]) {
        return false;
      }
    }
    return true;
  }

  /**
   * Samples the heap in use after a full collection every 100 ms on a daemon thread, so garbage
   * does not count; {@link #maxGrowth()} is the largest growth over the level at start.
   */
  static final class HeapProbe implements AutoCloseable {
    private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    private final long baseline;
    private final AtomicLong max = new AtomicLong();
    private final Thread sampler;
    private volatile boolean running = true;

    HeapProbe() {
      this.baseline = retained();
      this.sampler = Thread.ofPlatform().daemon().name("heap-probe").start(this::sample);
    }

    private void sample() {
      while (running) {
        max.accumulateAndGet(retained() - baseline, Math::max);
        try {
          Thread.sleep(100);
        } catch (InterruptedException e) {
          return;
        }
      }
    }

    private long retained() {
      memory.gc();
      return memory.getHeapMemoryUsage().getUsed();
    }

    long maxGrowth() {
      return max.get();
    }

    @Override
    public void close() {
      running = false;
      try {
        sampler.join(Duration.ofSeconds(5));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
