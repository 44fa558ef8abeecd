package io.deskrun.server.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Checks both signature versions against requests captured from the Java Tea SDK 4.2.8. */
class SignaturesTest {
  private static final String EMPTY_BODY_SHA256 =
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

  private static Map<String, String> v1VectorParameters() {
    Map<String, String> parameters = new LinkedHashMap<>();
    parameters.put("Action", "RunCommand");
    parameters.put("DesktopId.1", "ecd-a");
    parameters.put("DesktopId.2", "ecd-b");
    parameters.put("Timeout", "60");
    parameters.put("Timestamp", "2026-12-04T19:19:36Z");
    parameters.put("CommandContent", "ipconfig");
    parameters.put("SignatureVersion", "1.0");
    parameters.put("Type", "RunPowerShellScript");
    parameters.put("Format", "json");
    parameters.put("SignatureNonce", "3cdc8315dc510a61dd796497cd957261");
    parameters.put("Version", "2020-09-30");
    parameters.put("AccessKeyId", "testid");
    parameters.put("Signature", "qBlZ3Zpo0DUj6pb9yZ9+JJBEKx0=");
    parameters.put("SignatureMethod", "HMAC-SHA1");
    parameters.put("RegionId", "cn-hangzhou");
    return parameters;
  }

  private static Map<String, String> v3VectorQuery() {
    return Map.of(
        "CommandContent", "ipconfig",
        "Type", "RunPowerShellScript",
        "DesktopId.1", "ecd-a",
        "DesktopId.2", "ecd-b",
        "Timeout", "60",
        "RegionId", "cn-hangzhou");
  }

  private static Map<String, String> v3VectorHeaders() {
    return Map.of(
        "host", "127.0.0.1:18081",
        "x-acs-action", "RunCommand",
        "x-acs-content-sha256", EMPTY_BODY_SHA256,
        "x-acs-date", "2026-12-04T19:19:38Z",
        "x-acs-signature-nonce", "2845a100ef172eabb82be01c59a4f94d",
        "x-acs-version", "2020-09-30");
  }

  @Test
  void v1_sdkVector_matchesCapturedSignature() {
    String signature = Signatures.v1("POST", v1VectorParameters(), "testsecret", false);

    assertThat(signature).isEqualTo("qBlZ3Zpo0DUj6pb9yZ9+JJBEKx0=");
  }

  @Test
  void v1StringToSign_sdkVector_sortsAndEncodesTwice() {
    String stringToSign = Signatures.v1StringToSign("POST", v1VectorParameters(), false);

    assertThat(stringToSign)
        .isEqualTo(
            "POST&%2F&AccessKeyId%3Dtestid%26Action%3DRunCommand%26CommandContent%3Dipconfig"
                + "%26DesktopId.1%3Decd-a%26DesktopId.2%3Decd-b%26Format%3Djson"
                + "%26RegionId%3Dcn-hangzhou%26SignatureMethod%3DHMAC-SHA1"
                + "%26SignatureNonce%3D3cdc8315dc510a61dd796497cd957261"
                + "%26SignatureVersion%3D1.0%26Timeout%3D60"
                + "%26Timestamp%3D2026-12-04T19%253A19%253A36Z"
                + "%26Type%3DRunPowerShellScript%26Version%3D2020-09-30");
  }

  @Test
  void v1StringToSign_emptyValue_signedOnlyWhenAsked() {
    Map<String, String> parameters = new LinkedHashMap<>(v1VectorParameters());
    parameters.put("EndUserId", "");

    assertThat(Signatures.v1StringToSign("POST", parameters, false)).doesNotContain("EndUserId");
    assertThat(Signatures.v1StringToSign("POST", parameters, true)).contains("EndUserId%3D%26");
  }

  @Test
  void percentEncode_reservedCharacters_encodedAsRequired() {
    assertThat(Signatures.percentEncode("a b*c~d+e/é")).isEqualTo("a%20b%2Ac~d%2Be%2F%C3%A9");
  }

  @Test
  void v3_sdkVector_matchesCapturedSignature() {
    String signature =
        Signatures.v3("POST", v3VectorQuery(), v3VectorHeaders(), EMPTY_BODY_SHA256, "testsecret");

    assertThat(signature)
        .isEqualTo("d160b7addb76e2596f1b4256f49070a2299345b037e518a5b653eef993135bad");
  }

  @Test
  void v3CanonicalRequest_sdkVector_hasEveryPartInOrder() {
    String canonical =
        Signatures.v3CanonicalRequest(
            "POST", v3VectorQuery(), v3VectorHeaders(), EMPTY_BODY_SHA256);

    assertThat(canonical)
        .isEqualTo(
            "POST\n/\n"
                + "CommandContent=ipconfig&DesktopId.1=ecd-a&DesktopId.2=ecd-b"
                + "&RegionId=cn-hangzhou&Timeout=60&Type=RunPowerShellScript\n"
                + "host:127.0.0.1:18081\n"
                + "x-acs-action:RunCommand\n"
                + "x-acs-content-sha256:"
                + EMPTY_BODY_SHA256
                + "\n"
                + "x-acs-date:2026-12-04T19:19:38Z\n"
                + "x-acs-signature-nonce:2845a100ef172eabb82be01c59a4f94d\n"
                + "x-acs-version:2020-09-30\n"
                + "\n"
                + "host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;"
                + "x-acs-version\n"
                + EMPTY_BODY_SHA256);
  }

  @Test
  void v3CanonicalRequest_emptyQueryValue_keptAsNameEquals() {
    String canonical =
        Signatures.v3CanonicalRequest(
            "GET", Map.of("A", "", "B", "x y"), Map.of("Host", " h "), EMPTY_BODY_SHA256);

    assertThat(canonical).startsWith("GET\n/\nA=&B=x%20y\nhost:h\n\nhost\n");
  }

  @Test
  void v3Authorization_headerNames_lowerCasedAndSorted() {
    String header =
        Signatures.v3Authorization("testid", java.util.List.of("x-acs-date", "Host"), "ab12");

    assertThat(header)
        .isEqualTo(
            "ACS3-HMAC-SHA256 Credential=testid,SignedHeaders=host;x-acs-date,Signature=ab12");
  }

  @Test
  void sha256Hex_emptyBody_knownDigest() {
    assertThat(Signatures.sha256Hex("".getBytes(StandardCharsets.UTF_8)))
        .isEqualTo(EMPTY_BODY_SHA256);
  }
}
