package io.deskrun.protocol;

/** The identity given to a newly enrolled desktop; the token is shown only in this response. */
public record EnrollResponse(
    String desktopId, String desktopName, String regionId, String agentToken) {}
