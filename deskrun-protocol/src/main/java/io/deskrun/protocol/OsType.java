package io.deskrun.protocol;

/** Operating system family of a desktop, by its API name. */
public enum OsType {
  Windows,
  Linux,
  macOS;

  /** Returns the family of the JVM's own operating system, from the {@code os.name} property. */
  public static OsType current() {
    String name = System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT);
    if (name.startsWith("windows")) {
      return Windows;
    }
    if (name.startsWith("mac")) {
      return macOS;
    }
    return Linux;
  }
}
