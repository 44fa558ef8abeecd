package io.deskrun.bench;

import java.nio.file.Path;

/**
 * What {@code deskrun bench} was asked for.
 *
 * @param quick the short plan that ends within 3 minutes
 * @param outputDir where {@code report.json} goes
 * @param markdownFile where the Markdown table goes
 * @param command the command line, recorded in the report
 */
public record BenchOptions(boolean quick, Path outputDir, Path markdownFile, String command) {}
