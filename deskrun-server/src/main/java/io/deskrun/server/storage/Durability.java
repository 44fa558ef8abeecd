package io.deskrun.server.storage;

import org.jdbi.v3.core.config.JdbiConfig;

/**
 * The means by which the writes of a {@link GroupCommit} reach the disk, kept in its Jdbi's
 * configuration so that every part of the server that writes through that Jdbi finds it. On
 * PostgreSQL both parts are absent and a commit is durable by itself.
 */
public final class Durability implements JdbiConfig<Durability> {
  /** Writes H2's commits to its file; null on PostgreSQL. */
  private H2Flush flush;

  /** Records the journaled writes; null when there is none (PostgreSQL, in-memory H2). */
  private WriteJournal journal;

  public Durability() {}

  private Durability(Durability other) {
    this.flush = other.flush;
    this.journal = other.journal;
  }

  void set(H2Flush flush, WriteJournal journal) {
    this.flush = flush;
    this.journal = journal;
  }

  H2Flush flush() {
    return flush;
  }

  /** Returns the journal when it takes records now, otherwise null. */
  WriteJournal openJournal() {
    return journal != null && journal.isOpen() ? journal : null;
  }

  @Override
  public Durability createCopy() {
    return new Durability(this);
  }
}
