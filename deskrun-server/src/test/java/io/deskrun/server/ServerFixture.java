package io.deskrun.server;

import com.aliyun.ecd20200930.Client;
import com.aliyun.tea.TeaException;
import com.aliyun.teaopenapi.models.Config;
import com.aliyun.teaopenapi.models.OpenApiRequest;
import com.aliyun.teaopenapi.models.Params;
import com.aliyun.teautil.models.RuntimeOptions;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.deskrun.protocol.AgentError;
import io.deskrun.protocol.AgentProtocol;
import io.deskrun.protocol.EnrollRequest;
import io.deskrun.protocol.EnrollResponse;
import io.deskrun.protocol.OsType;
import io.deskrun.protocol.PollRequest;
import io.deskrun.protocol.PollResponse;
import io.deskrun.protocol.RunReport;
import io.deskrun.protocol.ScriptType;
import io.deskrun.server.account.Accounts;
import io.deskrun.server.gateway.Gateway;
import io.deskrun.server.storage.Database;
import io.deskrun.server.storage.TestPostgres;
import io.helidon.webserver.WebServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.assertj.core.api.Assertions;

/**
 * The server's parts over a real H2 database in a temp dir, with the agent channel served over real
 * HTTP on a free port, and a clock the test moves. Actions are called as the gateway would call
 * them, after authentication.
 */
final class ServerFixture implements AutoCloseable {
  static final String REGION = "cn-hangzhou";

  final MutableClock clock = MutableClock.atNow();
  final ServerConfig config;
  final Database database;
  final ServerComponents components;
  final WebServer webServer;
  final String accountId;
  private final ObjectMapper json =
      new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
  private final HttpClient http = HttpClient.newHttpClient();
  private final Map<String, Accounts.NewAccessKey> keys = new ConcurrentHashMap<>();
  private final Map<String, Client> clients = new ConcurrentHashMap<>();

  /** Puts the server on a fresh database of the test PostgreSQL. */
  static ServerConfig onPostgres(ServerConfig config) {
    return config
        .withDatabaseUrl(TestPostgres.newDatabaseUrl())
        .withDatabaseCredentials(TestPostgres.USER, "");
  }

  ServerFixture(Path dataDir) {
    this(dataDir, config -> config);
  }

  ServerFixture(Path dataDir, java.util.function.UnaryOperator<ServerConfig> customize) {
    this.config =
        customize.apply(
            ServerConfig.forDataDir(dataDir)
                .withClock(clock)
                .withLongPollWait(Duration.ofSeconds(5)));
    this.database =
        Database.open(config.databaseUrl(), config.databaseUser(), config.databasePassword());
    this.components = new ServerComponents(config, database);
    Accounts.NewAccessKey bootstrapKey = components.accounts.bootstrapIfEmpty().orElseThrow();
    this.accountId = bootstrapKey.accountId();
    keys.put(accountId, bootstrapKey);
    // The SDK signs with the system time, so the gateway checks timestamps against it while every
    // other part runs on the clock the test moves.
    Gateway gateway =
        new Gateway(
            config.regions(),
            components.accounts,
            components.nonces,
            components.actions,
            InstantSource.system());
    this.webServer = DeskrunServer.webServer("127.0.0.1", 0, components, gateway).build().start();
  }

  /**
   * Calls an action of the default account through the gateway over HTTP, with the official SDK's
   * generic call; {@code RegionId} defaults to {@link #REGION}.
   */
  Map<String, Object> call(String action, Map<String, String> parameters) {
    return callAs(accountId, action, parameters);
  }

  Map<String, Object> callAs(String account, String action, Map<String, String> parameters) {
    Map<String, String> query = new HashMap<>(parameters);
    query.putIfAbsent("RegionId", REGION);
    Params params =
        new Params()
            .setAction(action)
            .setVersion("2020-09-30")
            .setProtocol("HTTP")
            .setMethod("POST")
            .setAuthType("AK")
            .setStyle("RPC")
            .setPathname("/")
            .setReqBodyType("json")
            .setBodyType("string");
    try {
      Map<String, ?> response =
          client(account)
              .callApi(params, new OpenApiRequest().setQuery(query), new RuntimeOptions());
      return parseObject((String) response.get("body"));
    } catch (TeaException e) {
      throw new ApiFailure(
          e.getCode(), String.valueOf(e.getData().get("Message")), e.getStatusCode());
    } catch (Exception e) {
      throw new IllegalStateException("The SDK call of " + action + " failed", e);
    }
  }

  /** Calls an action of the default account that must fail, and returns the failure. */
  ApiFailure failure(String action, Map<String, String> parameters) {
    return failureAs(accountId, action, parameters);
  }

  ApiFailure failureAs(String account, String action, Map<String, String> parameters) {
    ApiFailure failure =
        Assertions.catchThrowableOfType(
            ApiFailure.class, () -> callAs(account, action, parameters));
    Assertions.assertThat(failure).as("%s should have failed", action).isNotNull();
    return failure;
  }

  /** An API error as the SDK reported it: the error code, message and HTTP status. */
  static final class ApiFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String code;
    private final int httpStatus;

    ApiFailure(String code, String message, int httpStatus) {
      super(message);
      this.code = code;
      this.httpStatus = httpStatus;
    }

    String code() {
      return code;
    }

    int httpStatus() {
      return httpStatus;
    }
  }

  private Client client(String account) throws Exception {
    Client cached = clients.get(account);
    if (cached != null) {
      return cached;
    }
    Accounts.NewAccessKey key = keys.get(account);
    Client client =
        new Client(
            new Config()
                .setAccessKeyId(key.accessKeyId())
                .setAccessKeySecret(key.accessKeySecret())
                .setEndpoint("127.0.0.1:" + webServer.port())
                .setProtocol("HTTP")
                .setRegionId(REGION)
                .setConnectTimeout(5_000)
                .setReadTimeout(20_000));
    clients.put(account, client);
    return client;
  }

  @SuppressWarnings("unchecked")
  private Map<String, Object> parseObject(String body) {
    return parse(body, Map.class);
  }

  /** Creates an activation and enrolls one desktop with it; the agent can run shell scripts. */
  Enrolled enrollDesktop() {
    return enrollDesktop(List.of(ScriptType.RunShellScript));
  }

  Enrolled enrollDesktop(List<ScriptType> types) {
    Map<String, Object> activation = call("CreateActivation", Map.of("InstanceCount", "1"));
    EnrollResponse response =
        post(
            AgentProtocol.ENROLL_PATH,
            null,
            new EnrollRequest(
                (String) activation.get("ActivationId"),
                (String) activation.get("ActivationCode"),
                REGION,
                "host-1",
                OsType.Linux,
                "0.1.0",
                types),
            EnrollResponse.class);
    return new Enrolled(
        response.desktopId(), response.desktopId() + ":" + response.agentToken(), types);
  }

  /** An enrolled desktop and its Bearer credential. */
  record Enrolled(String desktopId, String credential, List<ScriptType> scriptTypes) {}

  PollResponse poll(Enrolled desktop, int freeSlots, int waitSeconds, List<String> running) {
    return post(
        AgentProtocol.POLL_PATH,
        desktop.credential(),
        new PollRequest(freeSlots, waitSeconds, "host-1", "0.1.0", desktop.scriptTypes(), running),
        PollResponse.class);
  }

  void report(Enrolled desktop, RunReport report) {
    post(AgentProtocol.REPORT_PATH, desktop.credential(), report, Map.class);
  }

  /** Sends a protocol message and parses the 200 response. Any other status fails the test. */
  <T> T post(String path, String credential, Object body, Class<T> type) {
    HttpResponse<String> response = send(path, credential, body);
    Assertions.assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return parse(response.body(), type);
  }

  /** Sends a protocol message that must fail; returns its status and error. */
  Rejected postRejected(String path, String credential, Object body) {
    HttpResponse<String> response = send(path, credential, body);
    Assertions.assertThat(response.statusCode()).as(response.body()).isNotEqualTo(200);
    return new Rejected(response.statusCode(), parse(response.body(), AgentError.class));
  }

  record Rejected(int status, AgentError error) {}

  HttpResponse<String> send(String path, String credential, Object body) {
    try {
      HttpRequest.Builder request =
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + webServer.port() + path))
              .timeout(Duration.ofSeconds(20))
              .header("Content-Type", "application/json")
              .POST(
                  HttpRequest.BodyPublishers.ofByteArray(
                      body instanceof byte[] bytes ? bytes : json.writeValueAsBytes(body)));
      if (credential != null) {
        request.header("Authorization", "Bearer " + credential);
      }
      return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private <T> T parse(String body, Class<T> type) {
    try {
      return json.readValue(body, type);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** Creates a second account and returns its id. */
  String otherAccount() {
    Accounts.NewAccessKey key = components.accounts.createAccount("other-" + UUID.randomUUID());
    keys.put(key.accountId(), key);
    return key.accountId();
  }

  static Map<String, String> params(String... namesAndValues) {
    Map<String, String> map = new LinkedHashMap<>();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      map.put(namesAndValues[i], namesAndValues[i + 1]);
    }
    return map;
  }

  static Map<String, String> with(Map<String, String> base, String... namesAndValues) {
    Map<String, String> map = new HashMap<>(base);
    map.putAll(params(namesAndValues));
    return map;
  }

  @Override
  public void close() {
    components.agentChannel.close();
    webServer.stop();
    database.close();
  }
}
