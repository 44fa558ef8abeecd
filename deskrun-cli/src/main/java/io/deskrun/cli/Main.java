package io.deskrun.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import io.deskrun.agent.AgentException;
import io.deskrun.cli.api.ApiCallException;
import io.deskrun.cli.api.CredentialsException;
import io.deskrun.cli.api.ServerUnreachableException;
import java.io.PrintWriter;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/** Entry point of the {@code deskrun} command. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    routeJulToSlf4j();
    System.exit(newCommandLine().execute(args));
  }

  /** Returns the configured command line; tests run it without exiting the JVM. */
  static CommandLine newCommandLine() {
    CommandLine commandLine = new CommandLine(new DeskrunCommand());
    commandLine.setCaseInsensitiveEnumValuesAllowed(true);
    commandLine.setExecutionStrategy(Main::executeQuietlyUnlessService);
    commandLine.setExecutionExceptionHandler(Main::reportFailure);
    commandLine.setParameterExceptionHandler(Main::reportUsageError);
    return commandLine;
  }

  /** Helidon logs through java.util.logging; send it to Logback like everything else. */
  private static void routeJulToSlf4j() {
    SLF4JBridgeHandler.removeHandlersForRootLogger();
    SLF4JBridgeHandler.install();
  }

  /**
   * Lowers logging to errors only for client commands, whose output is their result; the server,
   * agent and quickstart keep INFO logging.
   */
  private static int executeQuietlyUnlessService(ParseResult parseResult) {
    Object command = leaf(parseResult).commandSpec().userObject();
    if (!(command instanceof LongRunningCommand)) {
      Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
      root.setLevel(Level.ERROR);
    }
    return new CommandLine.RunLast().execute(parseResult);
  }

  private static ParseResult leaf(ParseResult parseResult) {
    ParseResult current = parseResult;
    while (current.hasSubcommand()) {
      current = current.subcommand();
    }
    return current;
  }

  /** Prints the mistake and where to find help, instead of the whole usage text. */
  private static int reportUsageError(ParameterException exception, String[] args) {
    CommandLine commandLine = exception.getCommandLine();
    PrintWriter err = commandLine.getErr();
    err.println("Error: " + withoutErrorPrefix(exception.getMessage()));
    err.println("Run '" + commandLine.getCommandSpec().qualifiedName() + " --help' for usage.");
    err.flush();
    return ExitCodes.USAGE;
  }

  // Some picocli messages already start with "Error: ".
  private static String withoutErrorPrefix(String message) {
    return message.startsWith("Error: ") ? message.substring("Error: ".length()) : message;
  }

  private static int reportFailure(
      Exception exception, CommandLine commandLine, ParseResult parseResult) {
    PrintWriter err = commandLine.getErr();
    if (exception instanceof ApiCallException api) {
      err.println("Error: " + api.code() + ": " + api.getMessage());
      err.flush();
      return ExitCodes.API_ERROR;
    }

    if (isExpected(exception)) {
      err.println("Error: " + exception.getMessage());
      err.flush();
      return ExitCodes.CONFIGURATION;
    }

    err.println("Error: unexpected failure, please report it with this stack trace:");
    exception.printStackTrace(err);
    err.flush();
    return ExitCodes.INTERNAL_ERROR;
  }

  private static boolean isExpected(Exception exception) {
    return exception instanceof CredentialsException
        || exception instanceof ServerUnreachableException
        || exception instanceof AgentException
        || exception instanceof CliException;
  }
}
