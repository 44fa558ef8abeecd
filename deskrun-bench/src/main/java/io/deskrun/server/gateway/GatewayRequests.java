package io.deskrun.server.gateway;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.StringJoiner;

/** Signed RunCommand requests as the official SDK sends them, for the micro-benchmarks. */
final class GatewayRequests {
  static final String SECRET = "bench-secret-0123456789abcdefghij";

  private GatewayRequests() {}

  /** Returns the parameters of a V1-signed RunCommand for {@code desktops} desktops. */
  static Map<String, String> signedRunCommand(int desktops) {
    Map<String, String> parameters = new LinkedHashMap<>();
    parameters.put("Action", "RunCommand");
    parameters.put("Version", "2020-09-30");
    parameters.put("Format", "json");
    parameters.put("AccessKeyId", "LTAIbench0123456789");
    parameters.put("SignatureMethod", "HMAC-SHA1");
    parameters.put("SignatureVersion", "1.0");
    parameters.put("SignatureNonce", "6a1f0e2b-93c4-4d2a-9f7e-0b8c1d2e3f40");
    parameters.put("Timestamp", "2026-12-04T20:00:00Z");
    parameters.put("RegionId", "cn-hangzhou");
    for (int i = 1; i <= desktops; i++) {
      parameters.put("DesktopId." + i, String.format("ecd-%020d", i));
    }
    parameters.put("Type", "RunShellScript");
    parameters.put("CommandContent", "echo hi && uname -a | tr a-z A-Z");
    parameters.put("Timeout", "60");
    parameters.put("Signature", Signatures.v1("POST", parameters, SECRET, false));
    return parameters;
  }

  /** Returns the parameters as the raw query string bytes of the request. */
  static byte[] queryBytes(Map<String, String> parameters) {
    StringJoiner query = new StringJoiner("&");
    parameters.forEach(
        (name, value) ->
            query.add(Signatures.percentEncode(name) + "=" + Signatures.percentEncode(value)));
    return query.toString().getBytes(StandardCharsets.UTF_8);
  }
}
