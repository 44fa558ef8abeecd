package io.deskrun.server.invocation;

import io.deskrun.server.desktop.DesktopRegistry;
import io.deskrun.server.dispatch.WakeUps;
import io.deskrun.server.gateway.ActionHandler;
import io.deskrun.server.support.PageTokens;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Map;
import org.jdbi.v3.core.Jdbi;

/** RunCommand, DescribeInvocations and StopInvocation, plus retention of old invocations. */
public final class InvocationActions {
  private final InvocationStore store;
  private final RunCommandAction runCommand;
  private final DescribeInvocationsAction describeInvocations;
  private final StopInvocationAction stopInvocation;

  public InvocationActions(
      Jdbi jdbi,
      Targets targets,
      DesktopRegistry desktops,
      WakeUps wakeUps,
      PageTokens pageTokens,
      InstantSource clock,
      Duration heartbeatWindow) {
    this.store = new InvocationStore(jdbi, clock);
    this.runCommand =
        new RunCommandAction(store, targets, desktops, wakeUps, clock, heartbeatWindow);
    this.describeInvocations = new DescribeInvocationsAction(store, pageTokens);
    this.stopInvocation = new StopInvocationAction(store, targets, wakeUps);
  }

  /** Adds the handlers of these actions to {@code actions}, by action name. */
  public void register(Map<String, ActionHandler> actions) {
    actions.put("RunCommand", runCommand::handle);
    actions.put("DescribeInvocations", describeInvocations::handle);
    actions.put("StopInvocation", stopInvocation::handle);
  }

  /**
   * Deletes invocations older than {@code maxAge} and those past the newest {@code maxPerAccount}
   * of each account; returns how many.
   */
  public int deleteExpired(Duration maxAge, int maxPerAccount) {
    return store.deleteExpired(maxAge.toMillis(), maxPerAccount);
  }
}
