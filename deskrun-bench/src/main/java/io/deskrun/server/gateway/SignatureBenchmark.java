package io.deskrun.server.gateway;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Verifies the signature of a signed RunCommand as the gateway does: the V1 HMAC-SHA1 over the
 * sorted, percent-encoded parameters, and the V3 HMAC-SHA256 over the canonical request, each
 * compared in constant time with the signature sent.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class SignatureBenchmark {
  @Param({"1", "50"})
  public int desktops;

  private Map<String, String> v1Parameters;
  private Map<String, String> v3Headers;
  private String bodyHash;
  private byte[] v3Signature;

  @Setup
  public void sign() {
    v1Parameters = GatewayRequests.signedRunCommand(desktops);
    bodyHash = Signatures.sha256Hex(new byte[0]);
    v3Headers =
        Map.of(
            "host", "127.0.0.1:8080",
            "x-acs-action", "RunCommand",
            "x-acs-version", "2020-09-30",
            "x-acs-date", "2026-12-04T20:00:00Z",
            "x-acs-signature-nonce", "6a1f0e2b-93c4-4d2a-9f7e-0b8c1d2e3f40",
            "x-acs-content-sha256", bodyHash);
    v3Signature = v3().getBytes(StandardCharsets.UTF_8);
  }

  @Benchmark
  public boolean verifyV1() {
    String expected = Signatures.v1("POST", v1Parameters, GatewayRequests.SECRET, false);
    return MessageDigest.isEqual(
        expected.getBytes(StandardCharsets.UTF_8),
        v1Parameters.get("Signature").getBytes(StandardCharsets.UTF_8));
  }

  @Benchmark
  public boolean verifyV3() {
    return MessageDigest.isEqual(v3().getBytes(StandardCharsets.UTF_8), v3Signature);
  }

  private String v3() {
    return Signatures.v3("POST", v1Parameters, v3Headers, bodyHash, GatewayRequests.SECRET);
  }
}
