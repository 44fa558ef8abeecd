package io.deskrun.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The figures of one run: a flat map of named numbers for scripts ({@code report.json}) and a table
 * with one row per measure for people ({@code benchmarks.md}).
 */
final class Report {
  /** One line of the table: deskrun next to its baseline, their ratio and the target. */
  record Row(
      String scenario,
      String deskrun,
      String baseline,
      String ratio,
      String target,
      String met,
      String serverCpu) {}

  /** Ends the part of {@code benchmarks.md} that each run rewrites. */
  static final String END_OF_GENERATED =
      "<!-- Written by deskrun bench up to here; text below this line is kept. -->";

  private final Map<String, Object> run = new LinkedHashMap<>();
  private final Map<String, Double> figures = new LinkedHashMap<>();
  private final List<Row> rows = new ArrayList<>();
  private final List<String> notes = new ArrayList<>();

  void describeRun(String name, Object value) {
    run.put(name, value);
  }

  void figure(String name, double value) {
    figures.put(name, round(value));
  }

  /** Adds {@code prefix.median_ms}, {@code .p95_ms}, {@code .p99_ms} and {@code .count}. */
  void samples(String prefix, Samples samples) {
    figure(prefix + ".median_ms", samples.median());
    figure(prefix + ".p95_ms", samples.p95());
    figure(prefix + ".p99_ms", samples.p99());
    figure(prefix + ".count", samples.count());
  }

  /** Records whether a target held, as 1 or 0, and returns the word for the table. */
  String target(String scenario, boolean met) {
    figure(scenario + ".target_met", met ? 1 : 0);
    return met ? "yes" : "**no**";
  }

  void row(Row row) {
    rows.add(row);
  }

  void note(String text) {
    notes.add(text);
    System.out.println("  note: " + text);
  }

  Map<String, Double> figures() {
    return figures;
  }

  static String ms(Samples samples) {
    return String.format(
        Locale.ROOT, "%.1f / %.1f / %.1f ms", samples.median(), samples.p95(), samples.p99());
  }

  static String number(double value) {
    if (Math.abs(value) >= 100) {
      return String.format(Locale.ROOT, "%.0f", value);
    }
    return String.format(Locale.ROOT, "%.2f", value);
  }

  void writeJson(Path file) throws IOException {
    Map<String, Object> document = new LinkedHashMap<>();
    document.put("run", run);
    document.put("figures", figures);
    document.put("notes", notes);
    Files.createDirectories(file.toAbsolutePath().getParent());
    new ObjectMapper()
        .enable(SerializationFeature.INDENT_OUTPUT)
        .writeValue(file.toFile(), document);
  }

  /**
   * Writes the table and the notes of this run. Text after {@link #END_OF_GENERATED} in an existing
   * file, such as a hand-written analysis, is kept.
   */
  void writeMarkdown(Path file) throws IOException {
    StringBuilder text = new StringBuilder();
    text.append("# Benchmarks\n\n");
    text.append("Latest full run of `")
        .append(run.get("command"))
        .append("`. Ratios compare deskrun with its baseline measured in the same run, on the")
        .append(
            " same machine, interleaved where the scenario allows. Latencies are median / p95 /")
        .append(" p99 (nearest rank). Every figure, with each ratio, is also in")
        .append(" `target/bench/report.json` after a run.\n\n");
    text.append("| Run | |\n|---|---|\n");
    run.forEach(
        (name, value) -> text.append("| ").append(name).append(" | ").append(value).append(" |\n"));
    text.append("\n| Scenario | deskrun | baseline | ratio | target | met | server CPU |\n");
    text.append("|---|---|---|---|---|---|---|\n");
    for (Row row : rows) {
      text.append("| ")
          .append(
              String.join(
                  " | ",
                  row.scenario(),
                  row.deskrun(),
                  row.baseline(),
                  row.ratio(),
                  row.target(),
                  row.met(),
                  row.serverCpu()))
          .append(" |\n");
    }
    text.append("\n## Notes\n\n");
    for (String note : notes) {
      text.append("- ").append(note).append('\n');
    }
    text.append('\n').append(END_OF_GENERATED).append('\n').append(keptText(file));
    Files.createDirectories(file.toAbsolutePath().getParent());
    Files.writeString(file, text, StandardCharsets.UTF_8);
  }

  private static String keptText(Path file) throws IOException {
    if (!Files.exists(file)) {
      return "";
    }
    String old = Files.readString(file, StandardCharsets.UTF_8);
    int marker = old.indexOf(END_OF_GENERATED);
    return marker < 0 ? "" : old.substring(marker + END_OF_GENERATED.length() + 1);
  }

  private static double round(double value) {
    if (Double.isNaN(value) || Double.isInfinite(value)) {
      return value;
    }
    return Math.round(value * 1000) / 1000.0;
  }
}
