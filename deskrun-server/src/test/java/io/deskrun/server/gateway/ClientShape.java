package io.deskrun.server.gateway;

import com.aliyun.tea.TeaException;
import com.aliyun.teaopenapi.models.OpenApiRequest;
import com.aliyun.teaopenapi.models.Params;
import com.aliyun.teautil.models.RuntimeOptions;
import com.aliyuncs.CommonRequest;
import com.aliyuncs.CommonResponse;
import com.aliyuncs.DefaultAcsClient;
import com.aliyuncs.exceptions.ClientException;
import com.aliyuncs.exceptions.ServerException;
import com.aliyuncs.http.FormatType;
import com.aliyuncs.http.HttpClientConfig;
import com.aliyuncs.http.MethodType;
import com.aliyuncs.http.ProtocolType;
import com.aliyuncs.profile.DefaultProfile;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.deskrun.server.gateway.RawClient.Reply;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One way of calling the API that a real client uses, from the official SDKs to hand-built requests
 * in the shape of the tools that cannot run here. Each shape calls an action with its parameters
 * and reports the HTTP status, the error code if any, and the JSON body.
 */
enum ClientShape {
  /** The Java Tea SDK with its default V1 signature: POST with every parameter in the query. */
  TEA_SDK_V1 {
    @Override
    Outcome call(LiveServer server, String action, Map<String, String> parameters)
        throws Exception {
      return tea(server, server.client(), action, parameters);
    }
  },

  /** The Java Tea SDK forced onto ACS3-HMAC-SHA256: headers instead of signature parameters. */
  TEA_SDK_V3 {
    @Override
    Outcome call(LiveServer server, String action, Map<String, String> parameters)
        throws Exception {
      return tea(server, server.clientV3(), action, parameters);
    }
  },

  /**
   * The legacy core SDK's CommonRequest: POST with every parameter in the query, a form content
   * type and no body at all.
   */
  LEGACY_CORE_SDK {
    @Override
    Outcome call(LiveServer server, String action, Map<String, String> parameters)
        throws Exception {
      DefaultProfile profile =
          DefaultProfile.getProfile(LiveServer.REGION, server.keyId(), server.secret());
      HttpClientConfig http = HttpClientConfig.getDefault();
      http.setProtocolType(ProtocolType.HTTP);
      http.setConnectionTimeoutMillis(5_000);
      http.setReadTimeoutMillis(30_000);
      profile.setHttpClientConfig(http);
      DefaultAcsClient client = new DefaultAcsClient(profile);
      try {
        CommonRequest request = new CommonRequest();
        request.setSysMethod(MethodType.POST);
        request.setSysProtocol(ProtocolType.HTTP);
        request.setSysDomain(server.server().endpoint());
        request.setSysVersion(Gateway.API_VERSION);
        request.setSysAction(action);
        request.setSysAccept(FormatType.JSON);
        request.putQueryParameter("RegionId", LiveServer.REGION);
        parameters.forEach(request::putQueryParameter);
        CommonResponse response = client.getCommonResponse(request);
        return new Outcome(response.getHttpStatus(), null, JSON.readTree(response.getData()));
      } catch (ServerException e) {
        return new Outcome(500, e.getErrCode(), null);
      } catch (ClientException e) {
        return new Outcome(Outcome.UNKNOWN_STATUS, e.getErrCode(), null);
      } finally {
        client.shutdown();
      }
    }
  },

  /** GET with every parameter in the query and Format=JSON, as the aliyun command-line tool. */
  CLI_GET {
    @Override
    Outcome call(LiveServer server, String action, Map<String, String> parameters) {
      Map<String, String> all = server.raw().parameters(action, Instant.now());
      all.putAll(parameters);
      return Outcome.of(server.raw().get(RawClient.encode(server.raw().sign("GET", all))));
    }
  },

  /**
   * POST with the common parameters in the query and the action's parameters in a form body; the
   * signature covers both.
   */
  FORM_BODY_POST {
    @Override
    Outcome call(LiveServer server, String action, Map<String, String> parameters) {
      Map<String, String> common = server.raw().parameters(action, Instant.now());
      Map<String, String> all = new LinkedHashMap<>(common);
      all.putAll(parameters);
      Map<String, String> signed = server.raw().sign("POST", all);
      Map<String, String> query = new LinkedHashMap<>(signed);
      query.keySet().retainAll(common.keySet());
      query.put("Signature", signed.get("Signature"));
      Map<String, String> body = new LinkedHashMap<>(parameters);
      return Outcome.of(
          server
              .raw()
              .post(
                  RawClient.encode(query),
                  RawClient.encode(body),
                  "application/x-www-form-urlencoded"));
    }
  },

  /**
   * The Go SDK: GET with an empty {@code SignatureType} and an empty {@code EndUserId}, both of
   * them signed, where the Java SDKs leave empty values out of the string to sign.
   */
  GO_SDK_EMPTY_VALUES {
    @Override
    Outcome call(LiveServer server, String action, Map<String, String> parameters) {
      Map<String, String> all = server.raw().parameters(action, Instant.now());
      all.put("SignatureType", "");
      all.putIfAbsent("EndUserId", "");
      all.putAll(parameters);
      all.put("Signature", Signatures.v1("GET", all, server.secret(), true));
      return Outcome.of(server.raw().get(RawClient.encode(all)));
    }
  },

  /** V3 with the action's parameters in a form body, covered by x-acs-content-sha256. */
  V3_FORM_BODY {
    @Override
    Outcome call(LiveServer server, String action, Map<String, String> parameters) {
      Map<String, String> body = new LinkedHashMap<>(parameters);
      body.put("RegionId", LiveServer.REGION);
      List<String> signed =
          List.of(
              "content-type",
              "host",
              "x-acs-action",
              "x-acs-content-sha256",
              "x-acs-date",
              "x-acs-signature-nonce",
              "x-acs-version");
      return Outcome.of(
          server
              .raw()
              .postV3(
                  action, Map.of(), RawClient.encode(body), Instant.now(), signed, headers -> {}));
    }
  },

  /** The Node package @alicloud/pop-core's RPCClient with its default GET. */
  NODE_POP_CORE_GET {
    @Override
    Outcome call(LiveServer server, String action, Map<String, String> parameters)
        throws Exception {
      return NodeClient.call(server, action, parameters, "GET");
    }
  },

  /** The Node package @alicloud/pop-core's RPCClient with POST: everything in a form body. */
  NODE_POP_CORE_POST {
    @Override
    Outcome call(LiveServer server, String action, Map<String, String> parameters)
        throws Exception {
      return NodeClient.call(server, action, parameters, "POST");
    }
  };

  private static final ObjectMapper JSON = new ObjectMapper();

  /** Calls the action with these parameters besides RegionId, which every shape adds. */
  abstract Outcome call(LiveServer server, String action, Map<String, String> parameters)
      throws Exception;

  /** What a call came back with; {@code code} is null on success. */
  record Outcome(int status, String code, JsonNode body) {
    /** The legacy SDK reports 4xx errors without their status. */
    static final int UNKNOWN_STATUS = -1;

    static Outcome of(Reply reply) {
      JsonNode body = reply.json();
      JsonNode code = body.get("Code");
      return new Outcome(reply.status(), code == null ? null : code.asText(), body);
    }
  }

  private static Outcome tea(
      LiveServer server,
      com.aliyun.teaopenapi.Client client,
      String action,
      Map<String, String> parameters)
      throws Exception {
    Params params =
        new Params()
            .setAction(action)
            .setVersion(Gateway.API_VERSION)
            .setProtocol("HTTP")
            .setPathname("/")
            .setMethod("POST")
            .setAuthType("AK")
            .setStyle("RPC")
            .setReqBodyType("formData")
            .setBodyType("json");
    Map<String, String> query = new HashMap<>(parameters);
    query.put("RegionId", LiveServer.REGION);
    try {
      Map<String, ?> response =
          client.callApi(params, new OpenApiRequest().setQuery(query), new RuntimeOptions());
      Object status = response.get("statusCode");
      return new Outcome(
          ((Number) status).intValue(), null, JSON.valueToTree(response.get("body")));
    } catch (TeaException e) {
      return new Outcome(e.getStatusCode(), e.getCode(), JSON.valueToTree(e.getData()));
    }
  }

  /** Runs {@code pop-core-call.js} with the node binary on the PATH. */
  static final class NodeClient {
    static final Path FOLDER = Path.of("src", "test", "node");

    private NodeClient() {}

    /** Returns why the Node client cannot run here, or null when it can. */
    static String unavailableReason() {
      if (!commandExists("node")) {
        return "node is not installed, so the @alicloud/pop-core client cannot run";
      }
      if (!Files.isDirectory(FOLDER.resolve("node_modules"))) {
        installModules();
      }
      return null;
    }

    static Outcome call(
        LiveServer server, String action, Map<String, String> parameters, String method)
        throws Exception {
      Map<String, String> all = new LinkedHashMap<>(parameters);
      all.put("RegionId", LiveServer.REGION);
      Process process =
          new ProcessBuilder(
                  "node",
                  "pop-core-call.js",
                  "http://" + server.server().endpoint(),
                  server.keyId(),
                  server.secret(),
                  action,
                  JSON.writeValueAsString(all),
                  method)
              .directory(FOLDER.toFile())
              .redirectErrorStream(true)
              .start();
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new AssertionError("node did not finish within 30 s");
      }
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      JsonNode result = JSON.readTree(output);
      if (result.get("ok").asBoolean()) {
        return new Outcome(200, null, result.get("body"));
      }
      return new Outcome(
          result.get("status").asInt(), result.get("code").asText(), result.get("body"));
    }

    /** Runs {@code npm ci} once, for a checkout where {@code .ci/run} has not done it. */
    private static void installModules() {
      try {
        Process process =
            new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund")
                .directory(FOLDER.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        if (!process.waitFor(180, TimeUnit.SECONDS) || process.exitValue() != 0) {
          process.destroyForcibly();
          throw new AssertionError("npm ci in " + FOLDER + " failed; run it by hand to see why");
        }
      } catch (IOException e) {
        throw new AssertionError("npm is needed to install @alicloud/pop-core in " + FOLDER, e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("Interrupted while installing the Node client", e);
      }
    }

    private static boolean commandExists(String command) {
      try {
        Process process =
            new ProcessBuilder(command, "--version")
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        return process.waitFor(10, TimeUnit.SECONDS) && process.exitValue() == 0;
      } catch (IOException e) {
        return false;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
  }
}
