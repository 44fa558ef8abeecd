package io.deskrun.cli;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes a service command's resources, last added first, when the JVM shuts down (Ctrl-C, SIGTERM)
 * or when the command calls {@link #closeAll()} itself. Closing twice does nothing.
 */
final class ShutdownLatch {
  private static final Logger log = LoggerFactory.getLogger(ShutdownLatch.class);

  private final String name;
  private final Deque<AutoCloseable> resources = new ArrayDeque<>();
  private final CountDownLatch closed = new CountDownLatch(1);

  private ShutdownLatch(String name) {
    this.name = name;
  }

  /** Creates a latch whose resources a shutdown hook closes. */
  static ShutdownLatch install(String name) {
    ShutdownLatch latch = new ShutdownLatch(name);
    Runtime.getRuntime().addShutdownHook(new Thread(latch::closeAll, "deskrun-shutdown"));
    return latch;
  }

  /** Adds a resource; one added after closing has begun is closed at once. */
  synchronized <T extends AutoCloseable> T add(T resource) {
    if (closed.getCount() == 0) {
      closeQuietly(resource);
    } else {
      resources.push(resource);
    }
    return resource;
  }

  /** Blocks until every resource has been closed. */
  void await() throws InterruptedException {
    closed.await();
  }

  synchronized void closeAll() {
    if (closed.getCount() == 0) {
      return;
    }

    log.info("Stopping the {}", name);
    while (!resources.isEmpty()) {
      closeQuietly(resources.pop());
    }
    closed.countDown();
    log.info("Stopped the {}", name);
  }

  private static void closeQuietly(AutoCloseable resource) {
    try {
      resource.close();
    } catch (Exception e) {
      log.warn("Closing {} failed", resource, e);
    }
  }
}
