package io.deskrun.cli;

import picocli.CommandLine.IVersionProvider;

/** Reads the version from the jar manifest; a build from the IDE has none. */
final class VersionProvider implements IVersionProvider {
  @Override
  public String[] getVersion() {
    String version = Main.class.getPackage().getImplementationVersion();
    return new String[] {"deskrun " + (version == null ? "(development build)" : version)};
  }
}
