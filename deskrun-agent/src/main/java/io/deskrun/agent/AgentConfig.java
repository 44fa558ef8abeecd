package io.deskrun.agent;

import io.deskrun.protocol.AgentProtocol;
import io.deskrun.protocol.OsType;
import io.deskrun.protocol.ScriptType;
import java.net.URI;
import java.nio.charset.Charset;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Agent settings, built with {@link #builder()}: server URIs, state dir, optional activation id,
 * code and region for the first start, concurrent run limit, interpreter command per script type,
 * working directory, and how long running scripts may go on after a stop. {@link Builder#build()}
 * rejects a missing or invalid setting with a message naming it.
 */
public final class AgentConfig {
  /** Region sent at enrollment unless {@link Builder#regionId} sets another. */
  public static final String DEFAULT_REGION_ID = "cn-hangzhou";

  /** Runs at once unless {@link Builder#maxConcurrentRuns} sets another limit. */
  public static final int DEFAULT_MAX_CONCURRENT_RUNS = 10;

  /**
   * Time running scripts get to finish after a stop unless {@link Builder#shutdownGrace} sets
   * another.
   */
  public static final Duration DEFAULT_SHUTDOWN_GRACE = Duration.ofSeconds(10);

  /** Maximum shutdown grace that {@link Builder#shutdownGrace} accepts. */
  public static final Duration MAX_SHUTDOWN_GRACE = Duration.ofHours(1);

  private final List<URI> servers;
  private final Path stateDir;
  private final String activationId;
  private final String activationCode;
  private final String regionId;
  private final int maxConcurrentRuns;
  private final Map<ScriptType, List<String>> interpreters;
  private final Path workingDirectory;
  private final Charset outputFallbackCharset;
  private final int pollWaitSeconds;
  private final String hostname;
  private final Duration shutdownGrace;
  private final Path trustedCertificate;

  private AgentConfig(Builder builder) {
    this.servers = List.copyOf(builder.servers);
    this.stateDir = builder.stateDir;
    this.activationId = builder.activationId;
    this.activationCode = builder.activationCode;
    this.regionId = builder.regionId;
    this.maxConcurrentRuns = builder.maxConcurrentRuns;
    this.interpreters = Map.copyOf(builder.interpreters);
    this.workingDirectory = builder.workingDirectory;
    this.outputFallbackCharset = builder.outputFallbackCharset;
    this.pollWaitSeconds = builder.pollWaitSeconds;
    this.hostname = builder.hostname;
    this.shutdownGrace = builder.shutdownGrace;
    this.trustedCertificate = builder.trustedCertificate;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The first server's base URI, such as {@code http://127.0.0.1:8080}. */
  public URI server() {
    return servers.get(0);
  }

  /**
   * The base URIs of every server of the fleet, all sharing one database. The agent talks to one of
   * them at a time, picked at random at the start so agents spread over the servers, and moves to
   * the next when it stops responding.
   */
  public List<URI> servers() {
    return servers;
  }

  /** The dir holding the identity, journal, stored results and script files. */
  public Path stateDir() {
    return stateDir;
  }

  /** The activation id for the first start, if configured. */
  public Optional<String> activationId() {
    return Optional.ofNullable(activationId);
  }

  /** The activation code for the first start, if configured. Never log it. */
  public Optional<String> activationCode() {
    return Optional.ofNullable(activationCode);
  }

  public String regionId() {
    return regionId;
  }

  public int maxConcurrentRuns() {
    return maxConcurrentRuns;
  }

  /** The configured interpreter commands, which replace the operating system's defaults. */
  public Map<ScriptType, List<String>> interpreters() {
    return interpreters;
  }

  public Path workingDirectory() {
    return workingDirectory;
  }

  /**
   * The charset for output lines that are not valid UTF-8, if configured; otherwise Windows' OEM
   * code page on Windows and U+FFFD for each bad sequence elsewhere.
   */
  public Optional<Charset> outputFallbackCharset() {
    return Optional.ofNullable(outputFallbackCharset);
  }

  /**
   * Returns the scripts' default working directory: {@code %SystemRoot%\System32} on Windows, as
   * Windows services get, and the user's home elsewhere.
   */
  static Path defaultWorkingDirectory(OsType os, Map<String, String> environment, String home) {
    if (os != OsType.Windows) {
      return Path.of(home);
    }
    String root = environment.getOrDefault("SystemRoot", "");
    if (root.isBlank()) {
      root = "C:\\Windows";
    }
    return Path.of(root.endsWith("\\") ? root + "System32" : root + "\\System32");
  }

  /** How long the server may hold a poll open, in seconds. */
  public int pollWaitSeconds() {
    return pollWaitSeconds;
  }

  /** The host name reported to the server. */
  public String hostname() {
    return hostname;
  }

  /**
   * Returns how long {@link Agent#close()} lets running scripts go on before it kills them and
   * records them as interrupted.
   */
  public Duration shutdownGrace() {
    return shutdownGrace;
  }

  /**
   * Returns the PEM file of the certificates trusted for HTTPS servers, if configured; they replace
   * the JDK's default trust store. Without it the JDK's default trust store is used.
   */
  public Optional<Path> trustedCertificate() {
    return Optional.ofNullable(trustedCertificate);
  }

  @Override
  public String toString() {
    return "AgentConfig[servers="
        + servers
        + ", stateDir="
        + stateDir
        + ", activationId="
        + activationId
        + ", regionId="
        + regionId
        + ", maxConcurrentRuns="
        + maxConcurrentRuns
        + ", interpreters="
        + interpreters
        + ", workingDirectory="
        + workingDirectory
        + ", outputFallbackCharset="
        + outputFallbackCharset
        + ", pollWaitSeconds="
        + pollWaitSeconds
        + ", hostname="
        + hostname
        + ", shutdownGrace="
        + shutdownGrace
        + ", trustedCertificate="
        + trustedCertificate
        + "]";
  }

  /** Builder of {@link AgentConfig}. */
  public static final class Builder {
    private List<URI> servers = List.of();
    private Path stateDir;
    private String activationId;
    private String activationCode;
    private String regionId = DEFAULT_REGION_ID;
    private int maxConcurrentRuns = DEFAULT_MAX_CONCURRENT_RUNS;
    private final Map<ScriptType, List<String>> interpreters = new EnumMap<>(ScriptType.class);
    private Path workingDirectory =
        defaultWorkingDirectory(OsType.current(), System.getenv(), System.getProperty("user.home"));
    private Charset outputFallbackCharset;
    private int pollWaitSeconds = AgentProtocol.MAX_POLL_WAIT_SECONDS;
    private String hostname = HostNames.local();
    private Duration shutdownGrace = DEFAULT_SHUTDOWN_GRACE;
    private Path trustedCertificate;

    private Builder() {}

    /** Sets the server's base URI (http or https); this or {@link #servers} is required. */
    public Builder server(URI server) {
      this.servers = List.of(Objects.requireNonNull(server, "server"));
      return this;
    }

    /** Sets the base URIs of several servers sharing one database; replaces {@link #server}. */
    public Builder servers(List<URI> servers) {
      this.servers = List.copyOf(servers);
      return this;
    }

    /** Sets the state dir; required. */
    public Builder stateDir(Path stateDir) {
      this.stateDir = Objects.requireNonNull(stateDir, "stateDir");
      return this;
    }

    /** Sets the activation id and code; required only while the state dir contains no identity. */
    public Builder activation(String activationId, String activationCode) {
      this.activationId = Objects.requireNonNull(activationId, "activationId");
      this.activationCode = Objects.requireNonNull(activationCode, "activationCode");
      return this;
    }

    /** Sets the region sent at enrollment; default {@value AgentConfig#DEFAULT_REGION_ID}. */
    public Builder regionId(String regionId) {
      this.regionId = Objects.requireNonNull(regionId, "regionId");
      return this;
    }

    /** Sets how many scripts may run at once, 1 to 1000; default 10. */
    public Builder maxConcurrentRuns(int maxConcurrentRuns) {
      this.maxConcurrentRuns = maxConcurrentRuns;
      return this;
    }

    /**
     * Sets the interpreter command for {@code type}, which also makes the agent advertise the type.
     * The script file's path is appended as the last argument, for example {@code [wine, cmd, /c]}
     * for batch files or {@code [/opt/microsoft/powershell/7/pwsh]} (PowerShell flags are added
     * after it).
     */
    public Builder interpreter(ScriptType type, List<String> command) {
      Objects.requireNonNull(type, "type");
      interpreters.put(type, List.copyOf(command));
      return this;
    }

    /**
     * Sets the charset for output lines that are not valid UTF-8, such as GBK for a
     * Windows-compatible batch interpreter (Wine) writing in code page 936; default Windows' OEM
     * code page on Windows.
     */
    public Builder outputFallbackCharset(Charset charset) {
      this.outputFallbackCharset = Objects.requireNonNull(charset, "outputFallbackCharset");
      return this;
    }

    /**
     * Sets the scripts' working directory; default {@code %SystemRoot%\System32} on Windows and the
     * user's home elsewhere.
     */
    public Builder workingDirectory(Path directory) {
      this.workingDirectory = Objects.requireNonNull(directory, "workingDirectory");
      return this;
    }

    /** Sets how long the server may hold a poll open, 1 to 30 seconds; default 30. */
    public Builder pollWaitSeconds(int pollWaitSeconds) {
      this.pollWaitSeconds = pollWaitSeconds;
      return this;
    }

    /** Sets the host name reported to the server; default the machine's own. */
    public Builder hostname(String hostname) {
      this.hostname = Objects.requireNonNull(hostname, "hostname");
      return this;
    }

    /**
     * Sets how long running scripts may go on after a stop request, from zero (kill them at once)
     * to one hour. The default is 10 seconds.
     */
    public Builder shutdownGrace(Duration shutdownGrace) {
      this.shutdownGrace = Objects.requireNonNull(shutdownGrace, "shutdownGrace");
      return this;
    }

    /**
     * Sets a PEM file of CA (or server) certificates to trust for https servers, such as the
     * private CA that signed the server's certificate. The file's certificates replace the JDK's
     * default trust store; by default only that store is trusted.
     */
    public Builder trustedCertificate(Path file) {
      this.trustedCertificate = Objects.requireNonNull(file, "trustedCertificate");
      return this;
    }

    /** Checks every setting and returns the configuration. */
    public AgentConfig build() {
      require(!servers.isEmpty(), "server is required");
      for (URI server : servers) {
        String scheme = server.getScheme();
        require(
            ("http".equals(scheme) || "https".equals(scheme)) && server.getHost() != null,
            "server must be an http or https URI with a host, got \"" + server + "\"");
      }
      require(
          servers.size() == new java.util.HashSet<>(servers).size(),
          "servers must not list a server twice, got " + servers);
      require(stateDir != null, "stateDir is required");
      require(!regionId.isBlank(), "regionId must not be blank");
      require(
          maxConcurrentRuns >= 1 && maxConcurrentRuns <= 1000,
          "maxConcurrentRuns must be from 1 to 1000, got " + maxConcurrentRuns);
      require(
          pollWaitSeconds >= 1 && pollWaitSeconds <= AgentProtocol.MAX_POLL_WAIT_SECONDS,
          "pollWaitSeconds must be from 1 to "
              + AgentProtocol.MAX_POLL_WAIT_SECONDS
              + ", got "
              + pollWaitSeconds);
      interpreters.forEach(
          (type, command) ->
              require(!command.isEmpty(), "interpreter command for " + type + " is empty"));
      require(!hostname.isBlank(), "hostname must not be blank");
      require(
          !shutdownGrace.isNegative() && shutdownGrace.compareTo(MAX_SHUTDOWN_GRACE) <= 0,
          "shutdownGrace must be from 0 to " + MAX_SHUTDOWN_GRACE + ", got " + shutdownGrace);
      if (trustedCertificate != null) {
        TrustedCertificates.read(trustedCertificate, "trustedCertificate");
      }
      return new AgentConfig(this);
    }

    private static void require(boolean condition, String message) {
      if (!condition) {
        throw new IllegalArgumentException(message);
      }
    }
  }
}
