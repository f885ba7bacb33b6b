package org.bitnetspark.spark;

import java.io.PrintWriter;
import java.util.List;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import org.bitnetspark.engine.cli.ExitCodes;
import org.bitnetspark.engine.generate.GenerationRequest;
import org.bitnetspark.engine.generate.SamplingParams;
import java.util.Map;
import org.bitnetspark.spark.jobs.BatchJob;
import org.bitnetspark.spark.jobs.EvalInput;
import org.bitnetspark.spark.jobs.EvalSettings;
import org.bitnetspark.spark.jobs.JobInput;
import org.bitnetspark.spark.jobs.JobSettings;
import org.bitnetspark.spark.model.ModelRef;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The {@code spark-submit} entry point: {@code spark-submit --class org.bitnetspark.spark.BitNetSparkMain
 * bitnet-spark.jar <generate|perplexity> [options]}. Exit codes: 0 success, 1 a model, I/O or job
 * failure, 2 a bad option.
 */
@Command(name = "bitnet-spark", mixinStandardHelpOptions = true,
    description = "BitNet b1.58 batch jobs on Spark: generate text for a prompt dataset, score a corpus's perplexity, "
        + "or evaluate a model on benchmark tasks.",
    subcommands = {BitNetSparkMain.Generate.class, BitNetSparkMain.Perplexity.class, BitNetSparkMain.Evaluate.class,
        BenchCommand.class,
        CommandLine.HelpCommand.class})
public final class BitNetSparkMain implements Runnable {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "a job is required: generate, perplexity or evaluate");
  }

  public static void main(String[] args) {
    int code = run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true));
    if (code != 0) System.exit(code); // a zero exit lets spark-submit stop the context normally
  }

  /** Runs a job and returns the exit code. */
  public static int run(String[] args, PrintWriter out, PrintWriter err) {
    CommandLine cli = new CommandLine(new BitNetSparkMain());
    cli.setOut(out);
    cli.setErr(err);
    ExitCodes.install(cli, e -> e instanceof BatchJob.RowCountMismatch);
    return cli.execute(args);
  }

  /**
   * The session the jobs run in: the one spark-submit configured, with Kryo (registration required)
   * unless the application set a serializer itself.
   */
  static SparkSession session(String appName) {
    SparkConf conf = new SparkConf();
    if (!conf.contains("spark.serializer")) {
      conf.set("spark.serializer", "org.apache.spark.serializer.KryoSerializer");
      conf.set("spark.kryo.registrationRequired", "true");
    }
    conf.set("spark.kryo.registrator", BitNetKryoRegistrator.class.getName());
    return SparkSession.builder().appName(appName).config(conf).getOrCreate();
  }

  @Command(name = "generate", mixinStandardHelpOptions = true,
      description = "Generate a completion for every row. Output columns: id, prompt, completion, prompt_tokens, "
          + "completion_tokens, finish_reason (stop, length, eos, error), error, latency_ms, executor_id.")
  static final class Generate extends JobCommand {
    @Option(names = "--text-col", paramLabel = "COL", defaultValue = "prompt", description = "Prompt column (default: ${DEFAULT-VALUE}).")
    String textCol;

    @Option(names = "--options-col", paramLabel = "COL",
        description = "Per-row options: a JSON object or map with max_tokens, temperature, top_k, top_p, min_p, "
            + "repeat_penalty, seed, stop.")
    String optionsCol;

    @Option(names = "--max-tokens", paramLabel = "N", defaultValue = "" + GenerationRequest.DEFAULT_MAX_TOKENS,
        description = "Most tokens per row (default: ${DEFAULT-VALUE}).")
    int maxTokens;

    @Option(names = "--temperature", paramLabel = "T", defaultValue = "0.8", description = "0 is greedy (default: ${DEFAULT-VALUE}).")
    float temperature;

    @Option(names = "--top-k", paramLabel = "K", defaultValue = "40", description = "(default: ${DEFAULT-VALUE})")
    int topK;

    @Option(names = "--top-p", paramLabel = "P", defaultValue = "0.95", description = "(default: ${DEFAULT-VALUE})")
    float topP;

    @Option(names = "--min-p", paramLabel = "P", defaultValue = "0.05", description = "(default: ${DEFAULT-VALUE})")
    float minP;

    @Option(names = "--repeat-penalty", paramLabel = "X", defaultValue = "1.0", description = "(default: ${DEFAULT-VALUE})")
    float repeatPenalty;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "" + SamplingParams.DEFAULT_SEED,
        description = "Job seed; each row's seed derives from it and the row id, so the output does not depend on "
            + "the partitioning (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--stop", paramLabel = "TEXT", description = "Stop string (repeatable).")
    List<String> stop;

    @Option(names = "--prompt-overflow", paramLabel = "POLICY", defaultValue = "error",
        description = "A prompt longer than the context: error (the row fails) or truncate (keep BOS and the "
            + "prompt's end, leaving min(max-tokens, context/2) tokens to generate) (default: ${DEFAULT-VALUE}).")
    String promptOverflow;

    @Override
    BatchJob.Kind kind() {
      return BatchJob.Kind.GENERATE;
    }

    @Override
    String textColumn() {
      return textCol;
    }

    @Override
    String optionsColumn() {
      return optionsCol;
    }

    @Override
    JobSettings settings(ModelRef model, int threads) {
      new SamplingParams(temperature, topK, topP, minP, repeatPenalty, 64, seed); // validates
      if (maxTokens < 1) throw new IllegalArgumentException("max-tokens " + maxTokens + " must be at least 1");
      return new JobSettings(model, activationQuant, kvCache, threads, batchSize, maxTokens, temperature, topK, topP,
          minP, repeatPenalty, seed, stop == null ? List.of() : stop, promptOverflow, "sliding", 0, 0);
    }
  }

  @Command(name = "perplexity", mixinStandardHelpOptions = true,
      description = "Perplexity of every row's text, and of the whole corpus (token-weighted) in the summary. "
          + "Output columns: id, tokens_scored, nll_sum, perplexity, error, latency_ms, executor_id.")
  static final class Perplexity extends JobCommand {
    @Option(names = "--text-col", paramLabel = "COL", defaultValue = "text", description = "Text column (default: ${DEFAULT-VALUE}).")
    String textCol;

    @Option(names = "--method", paramLabel = "M", defaultValue = "sliding",
        description = "sliding (strided windows: documents of any length, every token after the first scored once) or "
            + "chunks (llama-perplexity's method, comparable with llama.cpp) (default: ${DEFAULT-VALUE}).")
    String method;

    @Option(names = "--ctx", paramLabel = "N", defaultValue = "0", description = "Window length; 0 means the model's context (default: ${DEFAULT-VALUE}).")
    int ctx;

    @Option(names = "--stride", paramLabel = "N", defaultValue = "0", description = "Sliding window step; 0 means ctx/2 (default: ${DEFAULT-VALUE}).")
    int stride;

    @Override
    BatchJob.Kind kind() {
      return BatchJob.Kind.PERPLEXITY;
    }

    @Override
    String textColumn() {
      return textCol;
    }

    @Override
    JobSettings settings(ModelRef model, int threads) {
      org.bitnetspark.engine.eval.PerplexityScorer.Method.parse(method);
      if (ctx < 0 || stride < 0) throw new IllegalArgumentException("ctx and stride must be >= 0");
      return new JobSettings(model, activationQuant, kvCache, threads, batchSize, 1, 0f, 0, 1f, 0f, 1f, 0, List.of(),
          "error", method, ctx, stride);
    }
  }

  @Command(name = "evaluate", mixinStandardHelpOptions = true,
      description = "Zero-shot evaluation: multiple-choice rows (context, choices, gold) are scored by the "
          + "log-likelihood of each choice after its context (acc, acc_norm per byte, llama.cpp's per-token); "
          + "generation rows (prompt, references) are completed greedily and scored by exact match and contains. "
          + "Output columns: id, task, type, gold, chosen, chosen_norm, chosen_per_token, correct, correct_norm, "
          + "correct_per_token, choice_logliks, choice_tokens, choice_bytes, completion, exact_match, contains, "
          + "tokens_evaluated, error, latency_ms, executor_id; per-task accuracy with standard errors in the summary.")
  static final class Evaluate extends JobCommand {
    @Option(names = "--columns", paramLabel = "FIELD=COL,...",
        description = "Map our fields (id, task, context, choices, gold, prompt, references) to the input's columns, "
            + "e.g. context=ctx,choices=endings,gold=label for lm-evaluation-harness's HellaSwag.")
    String columns;

    @Option(names = "--task-name", paramLabel = "NAME",
        description = "Task of rows without a task column (default: the input file's name up to its first dot).")
    String taskName;

    @Option(names = "--separator", paramLabel = "TEXT", defaultValue = " ",
        description = "Joins context and choice (default: one space, as lm-evaluation-harness and llama.cpp).")
    String separator;

    @Option(names = "--share-context", negatable = true, defaultValue = "true", fallbackValue = "true",
        description = "Evaluate each task's context once and reuse its KV cache for all its choices (default: "
            + "${DEFAULT-VALUE}); --no-share-context scores every choice from scratch, for comparison.")
    boolean shareContext;

    @Option(names = "--max-tokens", paramLabel = "N", defaultValue = "32",
        description = "Most tokens generated per generation row (default: ${DEFAULT-VALUE}).")
    int maxTokens;

    @Option(names = "--stop", paramLabel = "TEXT", defaultValue = "\n",
        description = "Stop string of generation rows (repeatable; default: a newline, for short answers).")
    List<String> stop;

    @Option(names = "--temperature", paramLabel = "T", defaultValue = "0",
        description = "Generation rows: 0 is greedy (default: ${DEFAULT-VALUE}).")
    float temperature;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "" + SamplingParams.DEFAULT_SEED,
        description = "Job seed for sampled generation rows (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--prompt-overflow", paramLabel = "POLICY", defaultValue = "error",
        description = "A generation prompt longer than the context: error or truncate (default: ${DEFAULT-VALUE}).")
    String promptOverflow;

    @Override
    BatchJob.Kind kind() {
      return BatchJob.Kind.EVALUATE;
    }

    @Override
    String textColumn() {
      return "context";
    }

    @Override
    String resolveInputFormat() {
      String f = super.resolveInputFormat();
      return f.equals("text") ? "hellaswag" : f; // a .txt task file is llama.cpp's HellaSwag layout
    }

    @Override
    JobInput jobInput(String format) {
      Map<String, String> mapping = new java.util.LinkedHashMap<>(EvalInput.parseColumns(columns));
      if (!idCol.equals("id")) mapping.putIfAbsent("id", idCol);
      return new EvalInput(input, format, mapping, taskName);
    }

    @Override
    JobSettings settings(ModelRef model, int threads) {
      new SamplingParams(temperature, 40, 0.95f, 0.05f, 1f, 64, seed); // validates
      if (maxTokens < 1) throw new IllegalArgumentException("max-tokens " + maxTokens + " must be at least 1");
      return new JobSettings(model, activationQuant, kvCache, threads, batchSize, maxTokens, temperature, 40, 0.95f,
          0.05f, 1f, seed, stop == null ? List.of() : stop, promptOverflow, "sliding", 0, 0,
          new EvalSettings(separator, shareContext));
    }
  }
}
