package io.deskrun.cli.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CredentialsResolverTest {
  private static final Map<String, String> ENVIRONMENT =
      Map.of(
          "ALIBABA_CLOUD_ACCESS_KEY_ID", "env-id",
          "ALIBABA_CLOUD_ACCESS_KEY_SECRET", "env-secret",
          "DESKRUN_ENDPOINT", "127.0.0.1:9000",
          "DESKRUN_REGION_ID", "cn-shanghai");

  @TempDir Path temp;

  private Path dataDir(String name, String json) throws IOException {
    Path dir = Files.createDirectories(temp.resolve(name));
    Files.writeString(dir.resolve("bootstrap-credentials.json"), json);
    return dir;
  }

  private Path defaultDataDir() throws IOException {
    return dataDir(
        "default",
        """
        {"AccessKeyId":"file-id","AccessKeySecret":"file-secret",
         "Endpoint":"127.0.0.1:8081","RegionId":"cn-beijing"}""");
  }

  @Test
  void resolve_explicitDataDir_winsOverEnvironment() throws IOException {
    Path explicit =
        dataDir(
            "explicit",
            """
            {"AccessKeyId":"explicit-id","AccessKeySecret":"explicit-secret",
             "Endpoint":"127.0.0.1:8082","RegionId":"cn-hangzhou"}""");

    Credentials credentials = CredentialsResolver.resolve(explicit, ENVIRONMENT, defaultDataDir());

    assertThat(credentials)
        .isEqualTo(
            new Credentials("explicit-id", "explicit-secret", "127.0.0.1:8082", "cn-hangzhou"));
  }

  @Test
  void resolve_environment_winsOverDefaultDataDir() throws IOException {
    Credentials credentials = CredentialsResolver.resolve(null, ENVIRONMENT, defaultDataDir());

    assertThat(credentials)
        .isEqualTo(new Credentials("env-id", "env-secret", "127.0.0.1:9000", "cn-shanghai"));
  }

  @Test
  void resolve_environmentWithoutEndpointOrRegion_usesDefaults() throws IOException {
    Map<String, String> keysOnly =
        Map.of("ALIBABA_CLOUD_ACCESS_KEY_ID", "id", "ALIBABA_CLOUD_ACCESS_KEY_SECRET", "secret");

    Credentials credentials = CredentialsResolver.resolve(null, keysOnly, defaultDataDir());

    assertThat(credentials.endpoint()).isEqualTo("127.0.0.1:8080");
    assertThat(credentials.regionId()).isEqualTo("cn-hangzhou");
  }

  @Test
  void resolve_keyIdOnly_rejected() throws IOException {
    Map<String, String> partial = Map.of("ALIBABA_CLOUD_ACCESS_KEY_ID", "id");

    assertThatThrownBy(() -> CredentialsResolver.resolve(null, partial, defaultDataDir()))
        .isInstanceOf(CredentialsException.class)
        .hasMessageContaining("ALIBABA_CLOUD_ACCESS_KEY_SECRET is not");
  }

  @Test
  void resolve_noEnvironment_readsDefaultDataDir() throws IOException {
    Credentials credentials = CredentialsResolver.resolve(null, Map.of(), defaultDataDir());

    assertThat(credentials)
        .isEqualTo(new Credentials("file-id", "file-secret", "127.0.0.1:8081", "cn-beijing"));
  }

  @Test
  void resolve_nothingAvailable_rejectedNamingVariablesAndFile() {
    Path missing = temp.resolve("missing");

    assertThatThrownBy(() -> CredentialsResolver.resolve(null, Map.of(), missing))
        .isInstanceOf(CredentialsException.class)
        .hasMessageContaining("ALIBABA_CLOUD_ACCESS_KEY_ID")
        .hasMessageContaining(
            missing.resolve("bootstrap-credentials.json").toAbsolutePath().toString());
  }

  @Test
  void resolve_dataDirWithoutFile_rejected() {
    Path empty = temp.resolve("empty");

    assertThatThrownBy(() -> CredentialsResolver.resolve(empty, ENVIRONMENT, empty))
        .isInstanceOf(CredentialsException.class)
        .hasMessageContaining("bootstrap-credentials.json does not exist");
  }

  @Test
  void fromBootstrapFile_missingSecret_rejectedNamingField() throws IOException {
    Path dir = dataDir("partial", "{\"AccessKeyId\":\"id\",\"Endpoint\":\"127.0.0.1:1\"}");

    assertThatThrownBy(
            () -> CredentialsResolver.fromBootstrapFile(dir.resolve("bootstrap-credentials.json")))
        .isInstanceOf(CredentialsException.class)
        .hasMessageContaining("has no AccessKeySecret");
  }

  @Test
  void fromBootstrapFile_withoutRegion_usesDefaultRegion() throws IOException {
    Path dir =
        dataDir(
            "noregion",
            "{\"AccessKeyId\":\"id\",\"AccessKeySecret\":\"s\",\"Endpoint\":\"127.0.0.1:1\"}");

    Credentials credentials =
        CredentialsResolver.fromBootstrapFile(dir.resolve("bootstrap-credentials.json"));

    assertThat(credentials.regionId()).isEqualTo("cn-hangzhou");
  }

  @Test
  void fromBootstrapFile_protocolHttps_usesHttps() throws IOException {
    Path dir =
        dataDir(
            "https",
            """
            {"AccessKeyId":"id","AccessKeySecret":"s","Endpoint":"127.0.0.1:8443",
             "Protocol":"HTTPS"}""");

    Credentials credentials =
        CredentialsResolver.fromBootstrapFile(dir.resolve("bootstrap-credentials.json"));

    assertThat(credentials.endpointUri()).hasToString("https://127.0.0.1:8443/");
  }

  @Test
  void fromBootstrapFile_noProtocol_endpointIsHttp() throws IOException {
    Path dir =
        dataDir(
            "noprotocol",
            "{\"AccessKeyId\":\"id\",\"AccessKeySecret\":\"s\",\"Endpoint\":\"127.0.0.1:1\"}");

    Credentials credentials =
        CredentialsResolver.fromBootstrapFile(dir.resolve("bootstrap-credentials.json"));

    assertThat(credentials.endpointUri()).hasToString("http://127.0.0.1:1/");
  }

  @Test
  void fromBootstrapFile_unknownProtocol_rejectedNamingValue() throws IOException {
    Path dir =
        dataDir(
            "ftp",
            """
            {"AccessKeyId":"id","AccessKeySecret":"s","Endpoint":"127.0.0.1:1",
             "Protocol":"ftp"}""");

    assertThatThrownBy(
            () -> CredentialsResolver.fromBootstrapFile(dir.resolve("bootstrap-credentials.json")))
        .isInstanceOf(CredentialsException.class)
        .hasMessageContaining("has Protocol \"ftp\"; expected http or https");
  }

  @Test
  void fromBootstrapFile_notJson_rejectedNamingFile() throws IOException {
    Path dir = dataDir("broken", "AccessKeyId=id");
    Path file = dir.resolve("bootstrap-credentials.json");

    assertThatThrownBy(() -> CredentialsResolver.fromBootstrapFile(file))
        .isInstanceOf(CredentialsException.class)
        .hasMessageContaining(file.toString());
  }
}
