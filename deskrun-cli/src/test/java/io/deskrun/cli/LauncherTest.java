package io.deskrun.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the real bash launcher in a scratch checkout whose {@code mvnw} and JDKs are small scripts,
 * to check which JDK it picks and when it rebuilds the jar.
 */
@DisabledOnOs(OS.WINDOWS)
class LauncherTest {
  private static final Path LAUNCHER = Path.of("..", "deskrun").toAbsolutePath().normalize();

  @TempDir Path temp;

  private Path root;
  private Path jvms;
  private Path jar;
  private Path buildLog;

  record Result(int exitCode, String stdout, String stderr) {}

  @BeforeEach
  void layOutCheckout() throws IOException {
    root = Files.createDirectories(temp.resolve("checkout"));
    jvms = Files.createDirectories(temp.resolve("jvms"));
    jar = root.resolve("deskrun-cli/target/deskrun.jar");
    buildLog = temp.resolve("builds.log");

    Files.copy(LAUNCHER, root.resolve("deskrun"));
    executable(root.resolve("deskrun"));
    Files.writeString(root.resolve("pom.xml"), "<project/>");
    Files.createDirectories(root.resolve("deskrun-cli/src/main/java"));
    Files.writeString(root.resolve("deskrun-cli/pom.xml"), "<project/>");
    Files.writeString(root.resolve("deskrun-cli/src/main/java/Main.java"), "class Main {}");
    writeMvnw(0);

    // Sources an hour old, so a jar made during the test is newer even on coarse file times.
    FileTime hourAgo = FileTime.from(Instant.now().minusSeconds(3600));
    for (String source :
        List.of("pom.xml", "deskrun-cli/pom.xml", "deskrun-cli/src/main/java/Main.java")) {
      Files.setLastModifiedTime(root.resolve(source), hourAgo);
    }
  }

  /** A wrapper that logs its arguments and JAVA_HOME, then makes the jar or fails. */
  private void writeMvnw(int exitCode) throws IOException {
    String script =
        "#!/bin/sh\n"
            + "echo \"$JAVA_HOME $*\" >> '"
            + buildLog
            + "'\n"
            + (exitCode == 0
                ? "mkdir -p deskrun-cli/target && touch deskrun-cli/target/deskrun.jar\n"
                : "echo '[ERROR] compilation failed'\nexit " + exitCode + "\n");
    Files.writeString(root.resolve("mvnw"), script);
    executable(root.resolve("mvnw"));
  }

  /** A JDK whose java prints its version and its arguments. */
  private Path fakeJdk(String name, String version) throws IOException {
    Path home = Files.createDirectories(jvms.resolve(name));
    Path bin = Files.createDirectories(home.resolve("bin"));
    Files.writeString(home.resolve("release"), "JAVA_VERSION=\"" + version + "\"\n");
    Files.writeString(bin.resolve("java"), "#!/bin/sh\necho \"java-" + version + " $*\"\n");
    Files.writeString(bin.resolve("javac"), "#!/bin/sh\nexit 0\n");
    executable(bin.resolve("java"));
    executable(bin.resolve("javac"));
    return home;
  }

  private static void executable(Path file) throws IOException {
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  private Result launch(String javaHome, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("bash", root.resolve("deskrun").toString()));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).directory(temp.toFile());
    Map<String, String> environment = builder.environment();
    environment.put("DESKRUN_JVM_DIRS", jvms.toString());
    environment.remove("MAVEN_OPTS");
    if (javaHome == null) {
      environment.remove("JAVA_HOME");
    } else {
      environment.put("JAVA_HOME", javaHome);
    }

    Process process = builder.start();
    process.getOutputStream().close();
    String stdout = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String stderr = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("launcher finished").isTrue();
    return new Result(process.exitValue(), stdout, stderr);
  }

  private List<String> builds() throws IOException {
    return Files.exists(buildLog) ? Files.readAllLines(buildLog) : List.of();
  }

  private void makeNewerThanJar(Path file) throws IOException {
    Instant jarTime = Files.getLastModifiedTime(jar).toInstant();
    Files.setLastModifiedTime(file, FileTime.from(jarTime.plusSeconds(10)));
  }

  @Test
  void launch_noJar_buildsThenRuns() throws Exception {
    Path jdk25 = fakeJdk("temurin-25", "25.0.1");

    Result result = launch(null, "run", "--command", "echo a b");

    assertThat(result.exitCode()).isZero();
    assertThat(builds()).containsExactly(jdk25 + " -B -q -DskipTests package");
    assertThat(result.stdout())
        .isEqualTo("java-25.0.1 -jar " + root.resolve(jar) + " run --command echo a b\n");
    assertThat(result.stderr()).contains("building");
  }

  @Test
  void launch_jarUpToDate_doesNotBuild() throws Exception {
    fakeJdk("temurin-25", "25.0.1");
    launch(null, "-V");

    Result result = launch(null, "-V");

    assertThat(result.exitCode()).isZero();
    assertThat(builds()).hasSize(1);
    assertThat(result.stderr()).isEmpty();
  }

  @Test
  void launch_sourceNewerThanJar_rebuilds() throws Exception {
    fakeJdk("temurin-25", "25.0.1");
    launch(null, "-V");
    makeNewerThanJar(root.resolve("deskrun-cli/src/main/java/Main.java"));

    launch(null, "-V");

    assertThat(builds()).hasSize(2);
  }

  @Test
  void launch_jarNotFromLauncherBuild_rebuilds() throws Exception {
    fakeJdk("temurin-25", "25.0.1");
    Files.createDirectories(jar.getParent());
    Files.writeString(jar, "plain jar left by an interrupted build");

    launch(null, "-V");

    assertThat(builds()).hasSize(1);
  }

  @Test
  void launch_jarChangedAfterBuild_rebuilds() throws Exception {
    fakeJdk("temurin-25", "25.0.1");
    launch(null, "-V");
    makeNewerThanJar(jar);

    launch(null, "-V");

    assertThat(builds()).hasSize(2);
  }

  @Test
  void launch_rootPomNewerThanJar_rebuilds() throws Exception {
    fakeJdk("temurin-25", "25.0.1");
    launch(null, "-V");
    makeNewerThanJar(root.resolve("pom.xml"));

    launch(null, "-V");

    assertThat(builds()).hasSize(2);
  }

  @Test
  void launch_javaHome21_preferredOverNewerJdk() throws Exception {
    Path jdk21 = fakeJdk("jdk-21", "21.0.5");
    fakeJdk("temurin-25", "25.0.1");

    Result result = launch(jdk21.toString(), "-V");

    assertThat(result.stdout()).startsWith("java-21.0.5 -jar");
  }

  @Test
  void launch_javaHomeTooOld_newestJdkUsed() throws Exception {
    Path jdk17 = fakeJdk("jdk-17", "17.0.9");
    fakeJdk("jdk-21", "21.0.5");
    fakeJdk("temurin-25", "25.0.1");
    fakeJdk("jdk-22", "22");

    Result result = launch(jdk17.toString(), "-V");

    assertThat(result.stdout()).startsWith("java-25.0.1 -jar");
  }

  @Test
  void launch_jdkWithoutJavac_skipped() throws Exception {
    fakeJdk("jdk-21", "21.0.5");
    Path jre = fakeJdk("jre-25", "25.0.1");
    Files.delete(jre.resolve("bin/javac"));

    Result result = launch(null, "-V");

    assertThat(result.stdout()).startsWith("java-21.0.5 -jar");
  }

  @Test
  void launch_onlyOldJdks_failsNamingMinimum() throws Exception {
    fakeJdk("jdk-17", "17.0.9");

    Result result = launch(null, "-V");

    assertThat(result.exitCode()).isEqualTo(3);
    assertThat(result.stderr()).contains("no JDK 21 or newer found").contains(jvms.toString());
    assertThat(builds()).isEmpty();
  }

  @Test
  void launch_buildFails_showsErrorsAndExits() throws Exception {
    fakeJdk("temurin-25", "25.0.1");
    writeMvnw(1);

    Result result = launch(null, "-V");

    assertThat(result.exitCode()).isEqualTo(3);
    assertThat(result.stderr()).contains("[ERROR] compilation failed").contains("the build failed");
    assertThat(result.stdout()).isEmpty();
  }
}
