package io.deskrun.server.account;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.deskrun.server.support.SecureFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** The {@code bootstrap-credentials.json} file written on the first start. */
public final class BootstrapCredentials {
  public static final String FILE_NAME = "bootstrap-credentials.json";

  private BootstrapCredentials() {}

  /**
   * Writes the first AccessKey, the endpoint ({@code host:port}), its protocol ({@code http} or
   * {@code https}, as the SDK's {@code protocol} setting names it) and the region as JSON readable
   * only by the owner. An existing file is replaced, since it belongs to an earlier, emptied
   * database.
   */
  public static void write(
      Path file, Accounts.NewAccessKey key, String endpoint, String protocol, String regionId) {
    Map<String, String> content = new LinkedHashMap<>();
    content.put("AccessKeyId", key.accessKeyId());
    content.put("AccessKeySecret", key.accessKeySecret());
    content.put("Endpoint", endpoint);
    content.put("Protocol", protocol);
    content.put("RegionId", regionId);
    try {
      String json =
          new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(content);
      Files.deleteIfExists(file);
      SecureFiles.writeOwnerOnly(file, json + "\n");
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write the bootstrap credentials to " + file, e);
    }
  }
}
