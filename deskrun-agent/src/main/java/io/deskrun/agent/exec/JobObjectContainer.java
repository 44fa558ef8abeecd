package io.deskrun.agent.exec;

import com.sun.jna.Native;
import com.sun.jna.platform.win32.WinNT.HANDLE;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Windows Job Object for one run. The job allows no breakaway, so every process the script starts
 * is in it, and {@code TerminateJobObject} kills them all. It does not kill on close: programs a
 * script deliberately started keep running after a normal exit.
 *
 * <p>NOTE: Java starts the process before it can be put into the job, so a child started in the
 * first instant of the run, before {@link #attach}, is outside the job. The interpreter takes far
 * longer than that to reach the user's first line, and the kill also walks the descendants.
 */
final class JobObjectContainer implements RunContainer {
  private static final Logger LOG = LoggerFactory.getLogger(JobObjectContainer.class);

  private final WindowsKernel kernel;
  private final HANDLE job;
  private final SessionContainer descendants = new SessionContainer(true);

  private JobObjectContainer(WindowsKernel kernel, HANDLE job) {
    this.kernel = kernel;
    this.job = job;
  }

  /** Creates an unnamed job, or returns empty when CreateJobObject fails. Call only on Windows. */
  static Optional<RunContainer> create() {
    WindowsKernel kernel;
    try {
      kernel = WindowsKernel.get();
    } catch (LinkageError e) {
      LOG.warn("kernel32 could not be loaded, so the run gets no Job Object", e);
      return Optional.empty();
    }
    HANDLE job = kernel.CreateJobObjectW(null, null);
    if (job == null) {
      LOG.warn("CreateJobObject failed with error {}", Native.getLastError());
      return Optional.empty();
    }
    return Optional.of(new JobObjectContainer(kernel, job));
  }

  @Override
  public List<String> prefix() {
    return List.of();
  }

  @Override
  public void attach(Process process) {
    int access = WindowsKernel.PROCESS_SET_QUOTA | WindowsKernel.PROCESS_TERMINATE;
    HANDLE handle = kernel.OpenProcess(access, false, (int) process.pid());
    if (handle == null) {
      LOG.warn("OpenProcess of pid {} failed with error {}", process.pid(), Native.getLastError());
      return;
    }
    try {
      if (!kernel.AssignProcessToJobObject(job, handle)) {
        LOG.warn(
            "AssignProcessToJobObject of pid {} failed with error {}",
            process.pid(),
            Native.getLastError());
      }
    } finally {
      kernel.CloseHandle(handle);
    }
  }

  @Override
  public void kill(ProcessHandle process) {
    if (!kernel.TerminateJobObject(job, 1)) {
      LOG.warn("TerminateJobObject failed with error {}", Native.getLastError());
    }
    descendants.kill(process);
  }

  @Override
  public void close() {
    kernel.CloseHandle(job);
  }
}
