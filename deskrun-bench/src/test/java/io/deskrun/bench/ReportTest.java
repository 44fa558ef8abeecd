package io.deskrun.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportTest {
  @TempDir Path dir;

  @Test
  void writeMarkdown_existingAnalysis_keepsTextAfterTheMarker() throws Exception {
    Path file = dir.resolve("benchmarks.md");
    Files.writeString(file, "old table\n" + Report.END_OF_GENERATED + "\n## Analysis\nkept\n");
    Report report = new Report();
    report.describeRun("command", "./deskrun bench");

    report.writeMarkdown(file);

    String text = Files.readString(file);
    assertThat(text)
        .doesNotContain("old table")
        .endsWith(Report.END_OF_GENERATED + "\n## Analysis\nkept\n");
  }

  @Test
  void write_figuresAndRow_jsonHasEachNumberAndMarkdownTheRow() throws Exception {
    Report report = new Report();
    report.describeRun("command", "./deskrun bench");
    Samples samples = new Samples();
    samples.add(2);
    samples.add(4);
    report.samples("single.deskrun", samples);
    report.figure("single.ratio_median", 2.0 / 3);
    String met = report.target("single", false);
    report.row(new Report.Row("single", "a", "b", "0.67 ×", "≤ 3 ×", met, "1 s"));

    report.writeJson(dir.resolve("report.json"));
    report.writeMarkdown(dir.resolve("benchmarks.md"));

    JsonNode figures =
        new ObjectMapper().readTree(dir.resolve("report.json").toFile()).get("figures");
    assertThat(figures.get("single.deskrun.median_ms").asDouble()).isEqualTo(2);
    assertThat(figures.get("single.deskrun.p99_ms").asDouble()).isEqualTo(4);
    assertThat(figures.get("single.ratio_median").asDouble()).isEqualTo(0.667);
    assertThat(figures.get("single.target_met").asDouble()).isZero();
    assertThat(Files.readString(dir.resolve("benchmarks.md")))
        .contains("`./deskrun bench`")
        .contains("| single | a | b | 0.67 × | ≤ 3 × | **no** | 1 s |");
  }
}
