package io.deskrun.cli;

/** The {@code --output} choices of client commands. */
enum OutputFormat {
  TEXT,
  JSON
}
