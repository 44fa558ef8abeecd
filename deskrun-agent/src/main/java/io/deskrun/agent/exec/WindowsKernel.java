package io.deskrun.agent.exec;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.WString;
import com.sun.jna.platform.win32.WinNT.HANDLE;

/**
 * The kernel32 functions the agent needs that {@code jna-platform}'s {@code Kernel32} does not map.
 * Loading it anywhere but on Windows fails, so only Windows code paths touch {@link #get()}.
 */
interface WindowsKernel extends Library {
  /** Access right to put a process into a job. */
  int PROCESS_SET_QUOTA = 0x0100;

  /** Access right to terminate a process, also needed to put it into a job. */
  int PROCESS_TERMINATE = 0x0001;

  /** Returns the loaded library; call only on Windows. */
  static WindowsKernel get() {
    return Holder.INSTANCE;
  }

  int GetOEMCP();

  HANDLE CreateJobObjectW(Pointer attributes, WString name);

  boolean AssignProcessToJobObject(HANDLE job, HANDLE process);

  boolean TerminateJobObject(HANDLE job, int exitCode);

  HANDLE OpenProcess(int access, boolean inheritHandle, int processId);

  boolean CloseHandle(HANDLE handle);

  /** Defers loading to the first call of {@link #get()}. */
  final class Holder {
    private static final WindowsKernel INSTANCE = Native.load("kernel32", WindowsKernel.class);

    private Holder() {}
  }
}
