package io.deskrun.agent;

import io.deskrun.agent.enroll.Identity;
import io.deskrun.agent.enroll.IdentityStore;
import io.deskrun.agent.exec.Interpreters;
import io.deskrun.agent.exec.OemCodePage;
import io.deskrun.agent.exec.ProcessTree;
import io.deskrun.agent.exec.RunReports;
import io.deskrun.agent.exec.RunSettings;
import io.deskrun.agent.journal.Journal;
import io.deskrun.agent.poll.Backoff;
import io.deskrun.agent.poll.ServerClient;
import io.deskrun.agent.poll.ServerResponseException;
import io.deskrun.agent.state.StateFiles;
import io.deskrun.protocol.EnrollRequest;
import io.deskrun.protocol.EnrollResponse;
import io.deskrun.protocol.OsType;
import io.deskrun.protocol.ScriptType;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A running agent: enrolled, polling its server for work, running scripts. */
public final class Agent implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Agent.class);
  private static final Duration JOURNAL_RETENTION = Duration.ofDays(7);
  private static final int JOURNAL_MAX_CONFIRMED = 10_000;
  private static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(15);
  private static final Duration FINAL_SEND_TIMEOUT = Duration.ofSeconds(5);
  private static final Duration POLL_STOP_TIMEOUT = Duration.ofSeconds(2);
  private static final String SCRIPTS_DIR = "scripts";

  private final Identity identity;
  private final Path identityFile;
  private final Journal journal;
  private final RunDispatcher dispatcher;
  private final ResultSender sender;
  private final ServerClient client;
  private final Thread pollThread;
  private final Thread senderThread;
  private final Duration shutdownGrace;
  private final AtomicBoolean closing = new AtomicBoolean();
  private final AtomicBoolean credentialRevoked = new AtomicBoolean();
  private final CountDownLatch terminated = new CountDownLatch(1);

  private Agent(AgentConfig config, Identity identity, Journal journal, List<ScriptType> types) {
    this.identity = identity;
    this.identityFile = new IdentityStore(config.stateDir()).file();
    this.journal = journal;
    this.shutdownGrace = config.shutdownGrace();
    this.client = serverClient(config);
    this.sender =
        new ResultSender(client, identity, journal, newBackoff(), this::credentialRejected);
    this.dispatcher =
        new RunDispatcher(
            journal,
            runSettings(config, identity),
            config.maxConcurrentRuns(),
            new ProgressSender(client, identity),
            sender::wake);
    PollLoop poll =
        new PollLoop(
            client,
            identity,
            dispatcher,
            newBackoff(),
            config,
            agentVersion(),
            types,
            this::credentialRejected);
    this.pollThread = Thread.ofVirtual().name("poll").unstarted(poll::run);
    this.senderThread = Thread.ofVirtual().name("result-sender").unstarted(sender::run);
  }

  /**
   * Enrolls when the state dir holds no identity yet (the configuration must then carry an
   * activation id and code), then starts polling in the background and returns. Enrollment errors
   * are raised as {@link AgentException} with the server's message.
   */
  public static Agent start(AgentConfig config) {
    Interpreters interpreters = interpreters(config);
    try {
      StateFiles.createPrivateDirectory(config.stateDir());
      deleteLeftoverScripts(config.stateDir().resolve(SCRIPTS_DIR));
      Identity identity = loadOrEnroll(config, interpreters.supportedTypes());
      Journal journal =
          Journal.open(
              config.stateDir().resolve("journal"),
              InstantSource.system(),
              JOURNAL_RETENTION,
              JOURNAL_MAX_CONFIRMED);
      recordInterruptedRuns(journal, identity);

      Agent agent = new Agent(config, identity, journal, interpreters.supportedTypes());
      LOG.info(
          "agent started as desktop {} with {}, script types {}",
          identity.desktopId(),
          config,
          interpreters.supportedTypes());
      agent.pollThread.start();
      agent.senderThread.start();
      return agent;
    } catch (IOException e) {
      throw new AgentException("state dir " + config.stateDir() + " cannot be used: " + e, e);
    }
  }

  /** Returns the server the agent talks to now, one of {@link AgentConfig#servers()}. */
  public URI currentServer() {
    return client.currentServer();
  }

  /** Returns the desktop id this agent enrolled as. */
  public String desktopId() {
    return identity.desktopId();
  }

  /**
   * Returns true when the agent stopped by itself because the server rejected its credential, as
   * after DeregisterDesktop. The state dir must then be enrolled again.
   */
  public boolean stoppedByRevokedCredential() {
    return credentialRevoked.get();
  }

  /** Returns the identity file to delete before enrolling this state dir again. */
  public Path identityFile() {
    return identityFile;
  }

  /** Blocks until {@link #close()} is called from another thread or the agent stops by itself. */
  public void awaitTermination() throws InterruptedException {
    terminated.await();
  }

  /**
   * Stops polling, lets running scripts go on for up to the configured shutdown grace, then kills
   * those still running and records them as interrupted, and sends the stored results it can.
   */
  @Override
  public void close() {
    if (!closing.compareAndSet(false, true)) {
      awaitQuietly();
      return;
    }
    pollThread.interrupt();
    try {
      pollThread.join(POLL_STOP_TIMEOUT);
      dispatcher.shutdown(shutdownGrace, SHUTDOWN_TIMEOUT);
      senderThread.interrupt();
      senderThread.join(FINAL_SEND_TIMEOUT);
      sendRemainingResults();
      journal.close();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException e) {
      LOG.warn("journal of desktop {} not closed cleanly", identity.desktopId(), e);
    } finally {
      LOG.info("agent of desktop {} stopped", identity.desktopId());
      terminated.countDown();
    }
  }

  private void sendRemainingResults() throws InterruptedException {
    Thread last = Thread.ofVirtual().name("result-sender-final").start(this::sendAllQuietly);
    last.join(FINAL_SEND_TIMEOUT);
    if (last.isAlive()) {
      last.interrupt();
      LOG.info("results not yet confirmed stay on disk and are sent after the next start");
    }
  }

  private void sendAllQuietly() {
    try {
      sender.sendAll();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void credentialRejected() {
    if (closing.get()) {
      return;
    }
    credentialRevoked.set(true);
    LOG.error(
        "server rejected the credential of desktop {} as revoked or invalid, so the agent stops. "
            + "To enroll again, delete {} and start with a new activation id and code.",
        identity.desktopId(),
        identityFile);
    Thread.ofVirtual().name("agent-close").start(this::close);
  }

  private void awaitQuietly() {
    try {
      terminated.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static Identity loadOrEnroll(AgentConfig config, List<ScriptType> types)
      throws IOException {
    IdentityStore store = new IdentityStore(config.stateDir());
    var stored = store.load();
    if (stored.isPresent()) {
      return stored.get();
    }
    Identity identity = enroll(config, types);
    store.save(identity);
    LOG.info("enrolled as desktop {}, identity stored in {}", identity.desktopId(), store.file());
    return identity;
  }

  private static Identity enroll(AgentConfig config, List<ScriptType> types) {
    if (config.activationId().isEmpty() || config.activationCode().isEmpty()) {
      throw new AgentException(
          "state dir "
              + config.stateDir()
              + " holds no identity, so an activation id and code are needed to enroll");
    }
    EnrollRequest request =
        new EnrollRequest(
            config.activationId().get(),
            config.activationCode().get(),
            config.regionId(),
            config.hostname(),
            OsType.current(),
            agentVersion(),
            types);
    try {
      EnrollResponse response = serverClient(config).enroll(request);
      return new Identity(response.desktopId(), response.agentToken());
    } catch (ServerResponseException e) {
      String reason =
          e.error() == null
              ? "HTTP " + e.statusCode()
              : e.error().code() + ": " + e.error().message();
      throw new AgentException("enrollment at " + serverList(config) + " rejected: " + reason, e);
    } catch (IOException e) {
      throw new AgentException("enrollment at " + serverList(config) + " failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AgentException("enrollment at " + serverList(config) + " interrupted", e);
    }
  }

  /** Returns a client of the configured servers, trusting the configured certificates if any. */
  private static ServerClient serverClient(AgentConfig config) {
    if (config.trustedCertificate().isEmpty()) {
      return new ServerClient(config.servers());
    }
    return new ServerClient(
        config.servers(),
        TrustedCertificates.sslContext(config.trustedCertificate().get(), "trustedCertificate"));
  }

  private static void recordInterruptedRuns(Journal journal, Identity identity) throws IOException {
    for (String invokeId : journal.unfinishedAtOpen()) {
      boolean killed =
          journal
              .recordedProcess(invokeId)
              .map(process -> ProcessTree.killLeftover(process.pid(), process.startEpochMillis()))
              .orElse(false);
      killed |= ProcessTree.killLeftoverCgroups(invokeId);
      LOG.warn(
          "run {} on desktop {} was cut short by an agent stop{}; reporting it as interrupted",
          invokeId,
          identity.desktopId(),
          killed ? " and its leftover processes were killed" : "");
      journal.storeResult(RunReports.interrupted(invokeId));
    }
  }

  /** Deletes script files of runs that a crash or kill of the agent cut short. */
  private static void deleteLeftoverScripts(Path scripts) throws IOException {
    if (!Files.isDirectory(scripts)) {
      return;
    }
    try (Stream<Path> files = Files.list(scripts)) {
      for (Path file : files.toList()) {
        Files.deleteIfExists(file);
      }
    }
  }

  private static Interpreters interpreters(AgentConfig config) {
    return Interpreters.resolve(OsType.current(), config.interpreters(), System.getenv("PATH"));
  }

  private static RunSettings runSettings(AgentConfig config, Identity identity) {
    boolean windows = OsType.current() == OsType.Windows;
    return new RunSettings(
        identity.desktopId(),
        interpreters(config),
        config.stateDir().resolve(SCRIPTS_DIR),
        config.workingDirectory(),
        windows,
        outputFallback(config, windows),
        Duration.ofSeconds(1),
        Duration.ofSeconds(2));
  }

  /**
   * Names the servers in messages: {@code http://a:8080} or {@code http://a:8080,http://b:8080}.
   */
  private static String serverList(AgentConfig config) {
    return config.servers().stream().map(URI::toString).collect(Collectors.joining(","));
  }

  private static Charset outputFallback(AgentConfig config, boolean windows) {
    return config.outputFallbackCharset().orElseGet(() -> windows ? OemCodePage.query() : null);
  }

  // The cap bounds how long a run's result waits after its server comes back; the jitter in
  // Backoff keeps a fleet from reconnecting in one burst.
  private static Backoff newBackoff() {
    return new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(15), new Random());
  }

  private static String agentVersion() {
    String version = Agent.class.getPackage().getImplementationVersion();
    return version == null ? "dev" : version;
  }
}
