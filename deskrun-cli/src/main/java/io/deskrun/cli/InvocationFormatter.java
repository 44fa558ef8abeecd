package io.deskrun.cli;

import java.util.List;

/** Renders invocations as text for people; JSON output prints the API's own objects instead. */
final class InvocationFormatter {
  private InvocationFormatter() {}

  /** Returns the progress line shown while waiting, such as {@code 3/5 finished}. */
  static String progress(Invocation invocation) {
    return invocation.finishedCount() + "/" + invocation.targets().size() + " finished";
  }

  /** Returns a summary line, then per desktop its status, exit code and output. */
  static String details(Invocation invocation) {
    StringBuilder out = new StringBuilder();
    out.append("Invocation ")
        .append(invocation.invokeId())
        .append(": ")
        .append(invocation.status())
        .append(", ")
        .append(invocation.succeededCount())
        .append(" of ")
        .append(invocation.desktopCount())
        .append(invocation.desktopCount() == 1 ? " desktop" : " desktops")
        .append(" succeeded\n");

    for (Invocation.Target target : invocation.targets()) {
      out.append('\n');
      appendTarget(out, target);
    }
    return out.toString();
  }

  private static void appendTarget(StringBuilder out, Invocation.Target target) {
    out.append("== ").append(target.desktopId());
    if (!target.desktopName().isEmpty()) {
      out.append(" (").append(target.desktopName()).append(')');
    }
    out.append(": ").append(target.status());
    if (target.exitCode() != null) {
      out.append(", exit code ").append(target.exitCode());
    }
    if (!target.errorCode().isEmpty()) {
      out.append(" [").append(target.errorCode());
      if (!target.errorInfo().isEmpty()) {
        out.append(": ").append(target.errorInfo());
      }
      out.append(']');
    }
    out.append('\n');

    if (target.droppedBytes() > 0) {
      out.append("(first ").append(target.droppedBytes()).append(" bytes of output dropped)\n");
    }
    out.append(target.output());
    if (!target.output().isEmpty() && !target.output().endsWith("\n")) {
      out.append('\n');
    }
  }

  /** Returns one line per invocation. */
  static String table(List<Invocation> invocations) {
    TextTable table = new TextTable("INVOKE ID", "STATUS", "TYPE", "CREATED", "SUCCEEDED");
    for (Invocation invocation : invocations) {
      table.addRow(
          invocation.invokeId(),
          invocation.status(),
          invocation.commandType(),
          invocation.creationTime(),
          invocation.succeededCount() + "/" + invocation.desktopCount());
    }
    return table.render();
  }
}
