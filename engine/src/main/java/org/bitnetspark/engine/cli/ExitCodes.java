package org.bitnetspark.engine.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.function.Predicate;
import org.bitnetspark.engine.error.ModelFormatException;
import org.bitnetspark.engine.error.UnsupportedModelException;
import picocli.CommandLine;

/**
 * The exit codes of our command lines (the engine's and the Spark jobs'): 0 success, 1 a model, I/O or
 * job failure, 2 a bad option or input. The message names the problem; no stack trace for these.
 */
public final class ExitCodes {
  public static final int MODEL_OR_JOB_FAILURE = 1;
  public static final int USAGE = 2;

  private ExitCodes() {}

  /** Maps our exceptions to exit codes; {@code jobFailure} marks further exceptions that mean exit 1. */
  public static void install(CommandLine cli, Predicate<Throwable> jobFailure) {
    cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
      Throwable cause = e instanceof UncheckedIOException u ? u.getCause() : e;
      if (cause instanceof IllegalArgumentException) {
        commandLine.getErr().println("error: " + cause.getMessage());
        return USAGE;
      }
      if (cause instanceof ModelFormatException || cause instanceof UnsupportedModelException
          || cause instanceof IOException || jobFailure.test(cause)) {
        commandLine.getErr().println("error: " + (e instanceof UncheckedIOException ? e.getMessage() : cause.getMessage()));
        return MODEL_OR_JOB_FAILURE;
      }
      throw e;
    });
  }
}
