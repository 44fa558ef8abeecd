package io.deskrun.server.gateway;

import java.util.HashMap;
import java.util.List;
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
 * Parses the query string of a signed RunCommand as the gateway does: the strict form decoding, the
 * parameter map, and the reads of RunCommand's parameters ({@code DesktopId.N}, {@code Timeout}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ParameterParsingBenchmark {
  @Param({"1", "50"})
  public int desktops;

  private byte[] query;

  @Setup
  public void encode() {
    query = GatewayRequests.queryBytes(GatewayRequests.signedRunCommand(desktops));
  }

  @Benchmark
  public List<FormDecoder.Field> decodeQuery() {
    return FormDecoder.decode(query, "query string");
  }

  @Benchmark
  public int parseRunCommand() {
    Map<String, String> values = new HashMap<>();
    for (FormDecoder.Field field : FormDecoder.decode(query, "query string")) {
      values.put(field.name(), field.value());
    }
    Parameters parameters = new Parameters(values);
    List<String> desktopIds = parameters.list("DesktopId", 50);
    long timeout = parameters.optionalLong("Timeout", 1, 86_400).orElse(60L);
    return desktopIds.size() + (int) timeout + parameters.required("CommandContent").length();
  }
}
