package io.deskrun.server.invocation;

import io.deskrun.server.storage.WriteJournal;
import java.util.List;

/** The writes of invocations and targets that go through the write journal on H2. */
public final class JournalKinds {
  private JournalKinds() {}

  /** Returns every journaled kind of this package, for applying the journal at start. */
  public static List<WriteJournal.Kind<?>> all() {
    return List.of(InvocationStore.CREATED, Targets.STARTED, Targets.OUTPUT, Targets.FINISHED);
  }
}
