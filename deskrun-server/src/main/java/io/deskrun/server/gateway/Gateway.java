package io.deskrun.server.gateway;

import io.deskrun.server.support.RateLimiter;
import io.helidon.http.DirectHandler;
import io.helidon.http.HeaderNames;
import io.helidon.http.HttpException;
import io.helidon.http.RequestException;
import io.helidon.http.Status;
import io.helidon.webserver.WebServerConfig;
import io.helidon.webserver.http.DirectHandlers;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.helidon.webserver.http1.Http1Config;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The OpenAPI endpoint on {@code /}: reads the parameters, checks the signature, the time window
 * and the nonce, the version and the region, calls the action handler, and writes the envelope.
 *
 * <p>Checks run in this order, so that the cheap ones that need no secret come first and the error
 * format is known before anything else can fail:
 *
 * <ol>
 *   <li>method, limits and decoding of the query string and form body ({@code InvalidParameter},
 *       sent in the format that the readable {@code Format} values ask for, JSON when there is none
 *       or they disagree);
 *   <li>{@code Format} ({@code InvalidParameter.Format}, sent as JSON), after which every error
 *       uses the requested format;
 *   <li>whether the server is shutting down ({@code ServiceUnavailable}), before anything that
 *       needs the database;
 *   <li>Action ({@code MissingParameter}, {@code InvalidAction.NotFound}) and Version ({@code
 *       MissingParameter}, {@code InvalidVersion}), from the parameters in V1 and from the {@code
 *       x-acs-action} and {@code x-acs-version} headers in V3;
 *   <li>authentication, see {@link Authenticator}: STS token, signature parts, signature method,
 *       time, AccessKey, signature, and last the nonce;
 *   <li>the AccessKey's request rate ({@code Throttling.User} with a {@code Retry-After} header);
 *   <li>the AccessKey's permission for the action ({@code Forbidden});
 *   <li>RegionId ({@code MissingParameter}, {@code InvalidRegionId.NotFound});
 *   <li>the action handler.
 * </ol>
 */
public final class Gateway implements Handler {
  /** The API version this gateway serves. */
  public static final String API_VERSION = "2020-09-30";

  /** The largest request body, in bytes. */
  public static final int MAX_BODY_BYTES = RequestParameters.MAX_BODY_BYTES;

  /**
   * The largest request line, and separately the largest header block, in bytes. The Java SDK puts
   * every parameter into the query, so a 16 KB Base64 script, percent-encoded, must fit.
   */
  public static final int MAX_REQUEST_HEAD_BYTES = 64 * 1024;

  /** The SLF4J MDC key that carries the RequestId while a request is handled. */
  public static final String MDC_REQUEST_ID = "requestId";

  private static final Logger LOG = LoggerFactory.getLogger(Gateway.class);

  private final Set<String> regions;
  private final Map<String, ActionHandler> actions;
  private final Authenticator authenticator;
  private final RateLimiter rateLimiter;
  private volatile boolean closing;

  /**
   * @param regions the region ids this server serves
   * @param accessKeys resolves the AccessKeyId of a request
   * @param nonces the replay store
   * @param actions handlers by action name
   * @param clock the time used for the 15-minute window
   */
  public Gateway(
      Set<String> regions,
      AccessKeyResolver accessKeys,
      NonceRegistry nonces,
      Map<String, ActionHandler> actions,
      InstantSource clock) {
    this(regions, accessKeys, nonces, actions, clock, RateLimiter.unlimited());
  }

  /**
   * @param rateLimiter the request rate limit per AccessKeyId, applied after the signature checks
   *     so that nobody but the key's owner can use up its requests
   */
  public Gateway(
      Set<String> regions,
      AccessKeyResolver accessKeys,
      NonceRegistry nonces,
      Map<String, ActionHandler> actions,
      InstantSource clock,
      RateLimiter rateLimiter) {
    this.regions = Set.copyOf(regions);
    this.actions = Map.copyOf(actions);
    this.authenticator = new Authenticator(accessKeys, nonces, clock);
    this.rateLimiter = rateLimiter;
  }

  /**
   * Applies the gateway's limits to a Helidon server: request line and header block up to {@value
   * #MAX_REQUEST_HEAD_BYTES} bytes each, bodies up to {@value #MAX_BODY_BYTES} bytes, and the JSON
   * error envelope for requests that Helidon rejects before routing.
   *
   * <p>Helidon's own check of the query string's characters and percent-escapes is turned off,
   * because it rejects the request before routing, where the query and so its {@code Format} are
   * out of reach. {@link RequestParameters} makes the same checks and sends its errors in the
   * requested format. The agent protocol reads no query string.
   *
   * <p>NOTE: the body limit applies to every route of the server's default listener, not only to
   * {@code /}; a route that needs larger bodies must live on another listener.
   */
  public static void configureServer(WebServerConfig.Builder builder) {
    DirectHandlers.Builder directHandlers = DirectHandlers.builder();
    TransportErrors transportErrors = new TransportErrors();
    for (DirectHandler.EventType eventType : DirectHandler.EventType.values()) {
      directHandlers.addHandler(eventType, transportErrors);
    }

    builder
        .maxPayloadSize(MAX_BODY_BYTES)
        .addProtocol(
            Http1Config.builder()
                .maxPrologueLength(MAX_REQUEST_HEAD_BYTES)
                .maxHeadersSize(MAX_REQUEST_HEAD_BYTES)
                .validatePrologue(false)
                .build())
        .directHandlers(directHandlers.build());
  }

  /**
   * Marks the server as shutting down: from now on every request gets {@code 503
   * ServiceUnavailable}, and so does a request in flight that fails because the database is closing
   * under it. The server calls this first when it closes.
   */
  public void startClosing() {
    closing = true;
  }

  @Override
  public void handle(ServerRequest request, ServerResponse response) {
    String requestId = newRequestId();
    MDC.put(MDC_REQUEST_ID, requestId);
    try {
      serve(request, response, requestId);
    } finally {
      MDC.remove(MDC_REQUEST_ID);
    }
  }

  /** Returns a new RequestId: a random UUID in upper case. */
  static String newRequestId() {
    return UUID.randomUUID().toString().toUpperCase(Locale.ROOT);
  }

  private void serve(ServerRequest request, ServerResponse response, String requestId) {
    ResponseFormat format = ResponseFormat.JSON;
    String action = null;
    try {
      RequestParameters parameters = RequestParameters.read(request);
      format = ResponseFormat.parse(parameters.merged().get("Format"));
      checkOpen();
      String requestedAction = callPart(request, parameters, "Action", Authenticator.HEADER_ACTION);
      ActionHandler handler = findHandler(requestedAction);
      // Logs name only known actions, so a crafted Action value never reaches a log line.
      action = requestedAction;
      checkVersion(callPart(request, parameters, "Version", Authenticator.HEADER_VERSION));

      Map<String, Object> fields = call(request, response, parameters, handler, action, requestId);
      send(response, Status.OK_200, format, Envelopes.success(format, action, requestId, fields));
      LOG.debug("Served {}", action);
    } catch (RequestParameters.ReadException e) {
      reject(request, response, e.format(), requestId, null, e.error());
    } catch (ApiException e) {
      reject(request, response, format, requestId, action, e);
    } catch (RuntimeException e) {
      if (isCallerFault(e)) {
        // Helidon raises these while parsing headers lazily, for the caller's malformed input.
        LOG.info("Rejected {} as malformed HTTP", action == null ? "a request" : action);
        ApiError error = ApiError.INVALID_PARAMETER;
        sendError(
            request,
            response,
            format,
            requestId,
            error,
            error.code(),
            "The HTTP request is malformed; check its headers and their encoding.");
        return;
      }
      if (response.isSent()) {
        LOG.error("Failed to serve {} after the response was sent", describe(action), e);
        return;
      }
      if (closing) {
        LOG.info("Failed to serve {} while shutting down: {}", describe(action), e.toString());
        ApiException unavailable = shuttingDown();
        sendError(
            request,
            response,
            format,
            requestId,
            unavailable.error(),
            unavailable.code(),
            unavailable.getMessage());
        return;
      }
      LOG.error("Failed to serve {} with an internal error", describe(action), e);
      ApiError error = ApiError.INTERNAL_ERROR;
      sendError(
          request,
          response,
          format,
          requestId,
          error,
          error.code(),
          "The server failed to process the request. RequestId: " + requestId + ".");
    }
  }

  private static void reject(
      ServerRequest request,
      ServerResponse response,
      ResponseFormat format,
      String requestId,
      String action,
      ApiException e) {
    LOG.info("Rejected {} with {} ({})", describe(action), e.code(), e.httpStatus());
    LOG.debug("{} message: {}", e.code(), e.getMessage());
    sendError(request, response, format, requestId, e.error(), e.code(), e.getMessage());
  }

  private static String describe(String action) {
    return action == null ? "a request" : action;
  }

  private void checkOpen() {
    if (closing) {
      throw shuttingDown();
    }
  }

  private static ApiException shuttingDown() {
    return new ApiException(
        ApiError.SERVICE_UNAVAILABLE,
        "The server is shutting down and takes no more requests; retry after it restarts or"
            + " against another server of the cluster.");
  }

  private static boolean isCallerFault(RuntimeException e) {
    Status status = null;
    if (e instanceof RequestException requestException) {
      status = requestException.status();
    } else if (e instanceof HttpException httpException) {
      status = httpException.status();
    }
    return status != null && status.code() >= 400 && status.code() < 500;
  }

  private Map<String, Object> call(
      ServerRequest request,
      ServerResponse response,
      RequestParameters parameters,
      ActionHandler handler,
      String action,
      String requestId) {
    AccessKey key = authenticator.authenticate(request, parameters);
    checkRate(response, key);
    checkPermission(key, action);
    String regionId = checkRegion(parameters.merged().get("RegionId"));

    Parameters handlerParameters = new Parameters(parameters.merged());
    Map<String, Object> fields =
        handler.handle(
            new ApiRequest(requestId, action, key.accountId(), regionId, handlerParameters));
    return fields == null ? Map.of() : fields;
  }

  /**
   * Raises {@code Throttling.User} when the key is over its request rate, after setting {@code
   * Retry-After} to the whole seconds until its next request can pass.
   */
  private void checkRate(ServerResponse response, AccessKey key) {
    Optional<Duration> wait = rateLimiter.tryAcquire(key.accessKeyId());
    if (wait.isEmpty()) {
      return;
    }
    long seconds = Math.max(1, (wait.get().toMillis() + 999) / 1000);
    response.header(HeaderNames.RETRY_AFTER, String.valueOf(seconds));
    throw new ApiException(
        ApiError.THROTTLING,
        "The AccessKeyId "
            + key.accessKeyId()
            + " is over its limit of "
            + rateLimiter.permits()
            + " requests per "
            + rateLimiter.period().toSeconds()
            + " s; retry after "
            + seconds
            + " s.");
  }

  private static void checkPermission(AccessKey key, String action) {
    if (!key.mayCall(action)) {
      throw new ApiException(
          ApiError.FORBIDDEN,
          "The AccessKeyId "
              + key.accessKeyId()
              + " is read-only and may not call "
              + action
              + "; read-only keys may call only the Describe actions.");
    }
  }

  /**
   * Returns a non-empty part of the call that V1 sends as a parameter and V3 as a header, or raises
   * {@code MissingParameter} naming where it was expected.
   */
  private static String callPart(
      ServerRequest request, RequestParameters parameters, String parameter, String header) {
    boolean v3 = Authenticator.isV3(request);
    String value =
        v3
            ? request.headers().first(HeaderNames.create(header)).orElse(null)
            : parameters.merged().get(parameter);
    if (value == null || value.isEmpty()) {
      throw ApiException.missingParameter(v3 ? header + " (header)" : parameter);
    }
    return value;
  }

  private static void checkVersion(String version) {
    if (!version.equals(API_VERSION)) {
      throw new ApiException(
          ApiError.INVALID_VERSION,
          "Version "
              + version
              + " is not supported; this server serves version "
              + API_VERSION
              + ".");
    }
  }

  private ActionHandler findHandler(String action) {
    ActionHandler handler = actions.get(action);
    if (handler == null) {
      throw new ApiException(
          ApiError.INVALID_ACTION,
          "The action "
              + action
              + " does not exist; this server serves "
              + String.join(", ", new TreeSet<>(actions.keySet()))
              + ".");
    }
    return handler;
  }

  private String checkRegion(String regionId) {
    if (regionId == null || regionId.isEmpty()) {
      throw ApiException.missingParameter("RegionId");
    }
    if (!regions.contains(regionId)) {
      throw new ApiException(
          ApiError.INVALID_REGION,
          "The RegionId "
              + regionId
              + " is not served here; this server serves "
              + String.join(", ", new TreeSet<>(regions))
              + ".");
    }
    return regionId;
  }

  private static void sendError(
      ServerRequest request,
      ServerResponse response,
      ResponseFormat format,
      String requestId,
      ApiError error,
      String code,
      String message) {
    String hostId = request.headers().first(HeaderNames.HOST).orElse("");
    byte[] body = Envelopes.error(format, requestId, hostId, code, message, error.recommend());
    send(response, Status.create(error.httpStatus()), format, body);
  }

  private static void send(
      ServerResponse response, Status status, ResponseFormat format, byte[] body) {
    response.status(status);
    response.header(HeaderNames.CONTENT_TYPE, format.contentType());
    response.send(body);
  }
}
