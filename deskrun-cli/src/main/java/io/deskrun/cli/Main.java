package io.deskrun.cli;

/** Entry point of the {@code deskrun} command. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    System.err.println("deskrun: not built yet " + String.join(" ", args));
    System.exit(2);
  }
}
