package io.deskrun.cli.faults;

import io.deskrun.agent.Agent;
import io.deskrun.agent.AgentConfig;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * Runs several real agents in one JVM, so a test can drive a 50-desktop fleet on a small machine.
 * Arguments: server URL, root dir (agent {@code i} keeps its state in {@code root/agent-i}), count,
 * activation id, activation code, scripts' working dir, shutdown grace in seconds. Writes {@code
 * root/ready} once every agent has started; SIGTERM closes them all at the same time.
 */
public final class AgentGroupMain {
  private AgentGroupMain() {}

  public static void main(String[] args) throws Exception {
    URI server = URI.create(args[0]);
    Path root = Path.of(args[1]);
    int count = Integer.parseInt(args[2]);
    List<Agent> agents = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      AgentConfig config =
          AgentConfig.builder()
              .server(server)
              .stateDir(root.resolve("agent-" + i))
              .activation(args[3], args[4])
              .workingDirectory(Path.of(args[5]))
              .shutdownGrace(Duration.ofSeconds(Long.parseLong(args[6])))
              .pollWaitSeconds(25)
              .build();
      agents.add(Agent.start(config));
    }

    CountDownLatch closed = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  closeAll(agents);
                  closed.countDown();
                }));
    Files.writeString(root.resolve("ready"), "started " + count + " agents\n");
    closed.await();
  }

  private static void closeAll(List<Agent> agents) {
    List<Thread> closers = new ArrayList<>();
    for (Agent agent : agents) {
      closers.add(Thread.ofPlatform().start(agent::close));
    }
    for (Thread closer : closers) {
      try {
        closer.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
