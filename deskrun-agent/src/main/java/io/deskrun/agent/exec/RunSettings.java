package io.deskrun.agent.exec;

import java.nio.charset.Charset;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Settings shared by every run of one agent.
 *
 * @param desktopId exported to scripts as {@code DESKRUN_DESKTOP_ID}
 * @param scriptDirectory where script files are written and deleted again
 * @param workingDirectory the scripts' working directory
 * @param windows whether this is Windows (no process sessions, job objects instead)
 * @param invalidBytesCharset charset for output bytes that are not valid UTF-8, or null for U+FFFD
 * @param progressInterval longest time between two progress reports while output changes
 * @param drainTimeout how long output is still read after the script's process has exited
 */
public record RunSettings(
    String desktopId,
    Interpreters interpreters,
    Path scriptDirectory,
    Path workingDirectory,
    boolean windows,
    Charset invalidBytesCharset,
    Duration progressInterval,
    Duration drainTimeout) {}
