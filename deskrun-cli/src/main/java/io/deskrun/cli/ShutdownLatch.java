package io.deskrun.cli;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a service command running until the JVM shuts down (Ctrl-C, SIGTERM), then closes its
 * resources in the order given before the JVM exits.
 */
final class ShutdownLatch {
  private static final Logger log = LoggerFactory.getLogger(ShutdownLatch.class);

  private final CountDownLatch closed = new CountDownLatch(1);

  private ShutdownLatch() {}

  /** Registers a shutdown hook that closes the resources, first to last. */
  static ShutdownLatch closeOnShutdown(String name, AutoCloseable... resources) {
    ShutdownLatch latch = new ShutdownLatch();
    Thread hook = new Thread(() -> latch.closeAll(name, List.of(resources)), "deskrun-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    return latch;
  }

  /** Blocks until the shutdown hook has closed every resource. */
  void await() throws InterruptedException {
    closed.await();
  }

  private void closeAll(String name, List<AutoCloseable> resources) {
    log.info("Stopping the {}", name);
    for (AutoCloseable resource : resources) {
      closeQuietly(resource);
    }
    log.info("Stopped the {}", name);
    closed.countDown();
  }

  static void closeQuietly(AutoCloseable resource) {
    try {
      resource.close();
    } catch (Exception e) {
      log.warn("Closing {} failed", resource, e);
    }
  }
}
