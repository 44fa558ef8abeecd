package io.deskrun.server.gateway;

/** An authenticated API call as an action handler sees it. */
public record ApiRequest(
    String requestId, String action, String accountId, String regionId, Parameters parameters) {}
