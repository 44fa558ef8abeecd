package io.deskrun.server.e2e;

import com.aliyun.ecd20200930.Client;
import com.aliyun.teaopenapi.models.OpenApiRequest;
import com.aliyun.teaopenapi.models.Params;
import com.aliyun.teautil.models.RuntimeOptions;
import java.util.HashMap;
import java.util.Map;

/**
 * Calls deskrun's own actions, which the ECD SDK has no model for, through the SDK's generic RPC.
 */
public final class DeskrunActions {
  private DeskrunActions() {}

  /** Sends a V1-signed POST of {@code action} with the parameters and returns the response body. */
  public static Map<String, ?> call(
      Client client, String regionId, String action, Map<String, String> parameters)
      throws Exception {
    Params params =
        new Params()
            .setAction(action)
            .setVersion("2020-09-30")
            .setProtocol("HTTP")
            .setPathname("/")
            .setMethod("POST")
            .setAuthType("AK")
            .setStyle("RPC")
            .setReqBodyType("formData")
            .setBodyType("json");
    Map<String, String> query = new HashMap<>(parameters);
    query.put("RegionId", regionId);
    Map<String, ?> response =
        client.callApi(params, new OpenApiRequest().setQuery(query), new RuntimeOptions());
    @SuppressWarnings("unchecked")
    Map<String, ?> body = (Map<String, ?>) response.get("body");
    return body;
  }
}
