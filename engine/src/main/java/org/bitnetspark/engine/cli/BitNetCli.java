package org.bitnetspark.engine.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code java -jar bitnet-engine.jar <command>}: the engine's command line, also the contract for
 * scripted use. Exit codes: 0 success, 1 a model or I/O problem, 2 a bad option or input.
 */
@Command(name = "bitnet-engine", mixinStandardHelpOptions = true, versionProvider = Version.class,
    description = "BitNet b1.58 inference in pure Java: generate text, score perplexity, inspect models.",
    subcommands = {GenerateCommand.class, LogitsCommand.class, PerplexityCommand.class, TokenizeCommand.class,
        ConvertCommand.class,
        InfoCommand.class, SynthCommand.class, BenchCommand.class, CommandLine.HelpCommand.class})
public final class BitNetCli implements Runnable {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "a command is required");
  }

  public static void main(String[] args) {
    System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
  }

  /** Runs the CLI with the given streams and returns the exit code (tests call this). */
  public static int run(String[] args, PrintWriter out, PrintWriter err) {
    CommandLine cli = new CommandLine(new BitNetCli());
    cli.setOut(out);
    cli.setErr(err);
    ExitCodes.install(cli, e -> false);
    return cli.execute(args);
  }
}
