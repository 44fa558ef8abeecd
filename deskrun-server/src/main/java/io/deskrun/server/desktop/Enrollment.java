package io.deskrun.server.desktop;

import io.deskrun.protocol.EnrollRequest;
import io.deskrun.protocol.EnrollResponse;
import io.deskrun.protocol.ScriptType;
import io.deskrun.server.support.Hashes;
import io.deskrun.server.support.Ids;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Trades an activation id and code for a new desktop and its agent token. */
public final class Enrollment {
  /**
   * Unknown activation id, or a code that does not match it (not distinguished, so a caller cannot
   * probe for valid ids).
   */
  public static final String ACTIVATION_INVALID = "InvalidActivation.NotFound";

  public static final String ACTIVATION_EXPIRED = "InvalidActivation.Expired";
  public static final String ACTIVATION_DISABLED = "InvalidActivation.Disabled";
  public static final String ACTIVATION_USED_UP = "InvalidActivation.CountExceeded";
  public static final String INVALID_REQUEST = "InvalidRequest";

  private static final Logger LOG = LoggerFactory.getLogger(Enrollment.class);
  private static final int TOKEN_LENGTH = 40;

  private final Jdbi jdbi;
  private final InstantSource clock;
  private final Set<String> regions;

  public Enrollment(Jdbi jdbi, InstantSource clock, Set<String> regions) {
    this.jdbi = jdbi;
    this.clock = clock;
    this.regions = regions;
  }

  /**
   * Enrolls a desktop. The activation's count is taken with one conditional UPDATE, so concurrent
   * enrollments never exceed {@code InstanceCount}.
   *
   * @throws EnrollmentException naming why the activation cannot be used
   */
  public EnrollResponse enroll(EnrollRequest request) {
    checkRequest(request);
    EnrollResponse response = jdbi.inTransaction(handle -> enrollIn(handle, request));
    LOG.info(
        "Enrolled desktop {} ({}) with activation {}, hostname {}",
        response.desktopId(),
        response.desktopName(),
        request.activationId(),
        request.hostname());
    return response;
  }

  private void checkRequest(EnrollRequest request) {
    if (isEmpty(request.activationId()) || isEmpty(request.activationCode())) {
      throw new EnrollmentException(
          INVALID_REQUEST, 400, "The enrollment needs activationId and activationCode.");
    }
    if (request.osType() == null) {
      throw new EnrollmentException(
          INVALID_REQUEST, 400, "The enrollment needs osType: one of Windows, Linux, macOS.");
    }
    if (!isEmpty(request.regionId()) && !regions.contains(request.regionId())) {
      throw new EnrollmentException(
          "InvalidRegionId.NotFound",
          404,
          "Region \"" + request.regionId() + "\" is not served here; use one of " + regions + ".");
    }
  }

  private EnrollResponse enrollIn(Handle handle, EnrollRequest request) {
    Activation activation = findMatching(handle, request);
    if (!isEmpty(request.regionId()) && !request.regionId().equals(activation.regionId())) {
      throw invalidActivation(request.activationId());
    }
    long now = clock.millis();
    int taken = takeOne(handle, activation.activationId(), now);
    if (taken == 0) {
      throw whyUnusable(handle, activation.activationId(), now);
    }
    int number = registeredCount(handle, activation.activationId());
    String desktopId = Ids.desktopId();
    String token = Ids.secret(TOKEN_LENGTH);
    String name = activation.instanceName() + "-" + number;
    insertDesktop(handle, desktopId, activation, name, request, token, now);
    return new EnrollResponse(desktopId, name, activation.regionId(), token);
  }

  private record Activation(
      String activationId, String accountId, String regionId, String instanceName) {}

  private static Activation findMatching(Handle handle, EnrollRequest request) {
    Optional<String[]> row =
        handle
            .createQuery(
                "SELECT account_id, region_id, instance_name, code_hash FROM activations"
                    + " WHERE activation_id = :id")
            .bind("id", request.activationId())
            .map(
                (rs, ctx) ->
                    new String[] {
                      rs.getString("account_id"),
                      rs.getString("region_id"),
                      rs.getString("instance_name"),
                      rs.getString("code_hash")
                    })
            .findOne();
    if (row.isEmpty() || !Hashes.matches(request.activationCode(), row.get()[3])) {
      throw invalidActivation(request.activationId());
    }
    return new Activation(request.activationId(), row.get()[0], row.get()[1], row.get()[2]);
  }

  private static int takeOne(Handle handle, String activationId, long now) {
    return handle
        .createUpdate(
            "UPDATE activations SET registered_count = registered_count + 1"
                + " WHERE activation_id = :id AND disabled = FALSE AND expires_at > :now"
                + " AND registered_count < instance_count")
        .bind("id", activationId)
        .bind("now", now)
        .execute();
  }

  private static EnrollmentException whyUnusable(Handle handle, String activationId, long now) {
    return handle
        .createQuery(
            "SELECT disabled, expires_at, instance_count FROM activations WHERE activation_id = :id")
        .bind("id", activationId)
        .map(
            (rs, ctx) -> {
              if (rs.getBoolean("disabled")) {
                return new EnrollmentException(
                    ACTIVATION_DISABLED,
                    403,
                    "Activation " + activationId + " is disabled; create a new activation.");
              }
              if (rs.getLong("expires_at") <= now) {
                return new EnrollmentException(
                    ACTIVATION_EXPIRED,
                    403,
                    "Activation " + activationId + " has expired; create a new activation.");
              }
              return new EnrollmentException(
                  ACTIVATION_USED_UP,
                  403,
                  "Activation "
                      + activationId
                      + " has already enrolled its limit of "
                      + rs.getInt("instance_count")
                      + " desktops; create a new activation.");
            })
        .one();
  }

  private static int registeredCount(Handle handle, String activationId) {
    return handle
        .createQuery("SELECT registered_count FROM activations WHERE activation_id = :id")
        .bind("id", activationId)
        .mapTo(int.class)
        .one();
  }

  private static void insertDesktop(
      Handle handle,
      String desktopId,
      Activation activation,
      String name,
      EnrollRequest request,
      String token,
      long now) {
    List<ScriptType> types = request.scriptTypes() == null ? List.of() : request.scriptTypes();
    handle
        .createUpdate(
            "INSERT INTO desktops (desktop_id, account_id, region_id, activation_id,"
                + " desktop_name, os_type, hostname, agent_version, script_types, token_hash,"
                + " last_heartbeat_at, created_at) VALUES (:id, :account, :region, :activation,"
                + " :name, :os, :hostname, :version, :types, :token, :now, :now)")
        .bind("id", desktopId)
        .bind("account", activation.accountId())
        .bind("region", activation.regionId())
        .bind("activation", activation.activationId())
        .bind("name", name)
        .bind("os", request.osType().name())
        .bind("hostname", request.hostname())
        .bind("version", request.agentVersion())
        .bind("types", DesktopRegistry.formatScriptTypes(types))
        .bind("token", Hashes.sha256(token))
        .bind("now", now)
        .execute();
  }

  private static EnrollmentException invalidActivation(String activationId) {
    return new EnrollmentException(
        ACTIVATION_INVALID,
        403,
        "Activation "
            + activationId
            + " does not exist or the activation code does not match it; check both values.");
  }

  private static boolean isEmpty(String text) {
    return text == null || text.isEmpty();
  }
}
