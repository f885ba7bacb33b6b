package org.bitnetspark.spark;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.bitnetspark.spark.metrics.ExecutorStats;
import org.bitnetspark.spark.metrics.JobMetrics;
import org.bitnetspark.spark.model.ExecutorModelCache;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Measures, in one run and on the same Spark deployment: generate throughput at several batch sizes
 * (as ratios to batch size 1), and the model's load time and resident memory with broadcast vs
 * path distribution (as ratios to the file size). Figures from different runs or machines are not
 * comparable; ratios within a run are.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
    description = "Benchmark the jobs: generate tokens/s per batch size (ratio to batch 1), evaluate rows/s with and "
        + "without the shared-context KV reuse (ratio), and model load time and executor memory for broadcast vs "
        + "path distribution (ratios to the model file size).")
final class BenchCommand implements Callable<Integer> {
  @Option(names = "--model", paramLabel = "URI", defaultValue = "default", description = "Model (default: ${DEFAULT-VALUE}).")
  String model;

  @Option(names = "--rows", paramLabel = "N", defaultValue = "64", description = "Prompts per run (default: ${DEFAULT-VALUE}).")
  int rows;

  @Option(names = "--max-tokens", paramLabel = "N", defaultValue = "32", description = "Tokens per prompt (default: ${DEFAULT-VALUE}).")
  int maxTokens;

  @Option(names = "--batch-sizes", split = ",", paramLabel = "N,N,...", defaultValue = "1,4,16,64",
      description = "Batch sizes to compare (default: ${DEFAULT-VALUE}).")
  int[] batchSizes;

  @Option(names = "--parts", split = ",", paramLabel = "PART,...", defaultValue = "batch,distribution,evaluate",
      description = "What to measure: batch (generate throughput per batch size), distribution (broadcast vs path), "
          + "evaluate (multiple-choice scoring with and without the shared-context KV reuse), parallelism (the "
          + "generate job data-parallel vs each --parallelism-modes mode) (default: ${DEFAULT-VALUE}).")
  List<String> parts;

  @Option(names = "--parallelism-modes", split = ",", paramLabel = "MODE,...", defaultValue = "pipeline:2,tensor:2",
      description = "Model-parallel modes to compare with data parallelism (default: ${DEFAULT-VALUE}).")
  List<String> parallelismModes;

  @Option(names = "--eval-tasks", paramLabel = "N", defaultValue = "96",
      description = "Synthetic 4-choice tasks for the evaluate comparison (default: ${DEFAULT-VALUE}).")
  int evalTasks;

  @Option(names = "--eval-input", paramLabel = "PATH",
      description = "A JSON lines task file (id, context, choices, gold) to use instead of synthetic tasks.")
  String evalInput;

  @Option(names = "--json", description = "Print the figures as one JSON object.")
  boolean json;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    if (rows < 1 || maxTokens < 1) throw new IllegalArgumentException("rows and max-tokens must be at least 1");
    for (String p : parts) {
      if (!List.of("batch", "distribution", "evaluate", "parallelism").contains(p)) {
        throw new IllegalArgumentException("--parts '" + p + "' is not one of batch, distribution, evaluate, "
            + "parallelism");
      }
    }
    SparkSession spark = BitNetSparkMain.session("bitnet bench");
    int partitions = spark.sparkContext().defaultParallelism();
    Dataset<Row> prompts = prompts(spark, rows).repartition(partitions).cache();
    prompts.count();
    ObjectMapper mapper = new ObjectMapper();
    ObjectNode out = mapper.createObjectNode().put("model", model).put("rows", rows).put("max_tokens", maxTokens)
        .put("partitions", partitions);
    PrintWriter console = spec.commandLine().getErr();

    // the model is loaded (and the JIT warmed) by a first run, so loads are not timed
    run(spark, prompts, BitNetOptions.of(spark).model(model).maxTokens(2).batchSize(1));
    if (parts.contains("batch")) batchSizes(spark, prompts, out, console);
    if (parts.contains("evaluate")) evaluate(spark, partitions, out.putObject("evaluate"), console);
    if (parts.contains("distribution")) distribution(spark, prompts, partitions, out, console);
    if (parts.contains("parallelism")) new ParallelismBench(model, rows, maxTokens, batchSizes[batchSizes.length - 1])
        .run(spark, parallelismModes, out.putArray("parallelism"), console);
    if (json) spec.commandLine().getOut().println(mapper.writeValueAsString(out));
    return 0;
  }

  private void batchSizes(SparkSession spark, Dataset<Row> prompts, ObjectNode out, PrintWriter console) {
    ArrayNode batches = out.putArray("batch");
    double baseline = 0;
    for (int b : batchSizes) {
      long start = System.nanoTime();
      long tokens = run(spark, prompts, BitNetOptions.of(spark).model(model).maxTokens(maxTokens).batchSize(b)
          .temperature(0)).values().stream().mapToLong(ExecutorStats::tokens).sum();
      double seconds = (System.nanoTime() - start) / 1e9;
      double tps = tokens / seconds;
      if (baseline == 0) baseline = tps;
      batches.addObject().put("batch_size", b).put("tokens_per_s", tps).put("ratio_to_first", tps / baseline);
      console.printf("batch %3d: %8.1f tokens/s  (%.2fx batch %d)%n", b, tps, tps / baseline, batchSizes[0]);
    }
  }

  /**
   * The evaluate job's shared-context KV reuse: the same tasks scored from scratch and with reuse, one
   * after the other in this run. rows/s and tokens/s are given for both; "task tokens" are the tokens a
   * from-scratch evaluation runs, the same numerator for both, so their ratio is the speed-up.
   */
  private void evaluate(SparkSession spark, int partitions, ObjectNode out, PrintWriter console) {
    Dataset<Row> tasks = (evalInput != null ? spark.read().json(evalInput) : syntheticTasks(spark, evalTasks))
        .repartition(partitions).cache();
    long n = tasks.count();
    out.put("tasks", n).put("input", evalInput != null ? evalInput : "synthetic");
    for (boolean share : new boolean[] {false, true}) { // warm-up: both code paths compiled before timing
      BitNet.evaluate(tasks.limit(2 * partitions), BitNetOptions.of(spark).model(model).shareContext(share))
          .agg(functions.sum("tokens_evaluated")).first();
    }
    long taskTokens = 0;
    double scratchRowsPerS = 0;
    for (boolean share : new boolean[] {false, true}) {
      long start = System.nanoTime();
      Row r = BitNet.evaluate(tasks, BitNetOptions.of(spark).model(model).batchSize(16).shareContext(share))
          .agg(functions.count(functions.lit(1)), functions.sum("tokens_evaluated")).first();
      double seconds = (System.nanoTime() - start) / 1e9;
      long forwardTokens = r.getLong(1);
      if (!share) taskTokens = forwardTokens;
      double rowsPerS = r.getLong(0) / seconds;
      if (!share) scratchRowsPerS = rowsPerS;
      String name = share ? "shared_context" : "from_scratch";
      out.putObject(name).put("seconds", seconds).put("rows_per_s", rowsPerS)
          .put("forward_tokens", forwardTokens).put("forward_tokens_per_s", forwardTokens / seconds)
          .put("task_tokens_per_s", taskTokens / seconds);
      console.printf("evaluate %-14s: %9.3f rows/s, %8.1f task tokens/s, %9d tokens through the model%n", name,
          rowsPerS, taskTokens / seconds, forwardTokens);
      if (share) {
        out.put("speedup", rowsPerS / scratchRowsPerS).put("work_ratio", (double) taskTokens / forwardTokens);
        console.printf("evaluate: shared context %.2fx the rows/s of scoring from scratch (%.2fx fewer tokens)%n",
            rowsPerS / scratchRowsPerS, (double) taskTokens / forwardTokens);
      }
    }
  }

  /** HellaSwag-shaped tasks (a ~25-word context, four ~12-word endings) from a seeded word list. */
  private static Dataset<Row> syntheticTasks(SparkSession spark, int n) {
    String[] words = ("the king my lord good sir what thou thee thy hath doth love night day fair sweet death heaven "
        + "heart noble gentle speak come go hence stay tell shall will would never ever more honour grace father son "
        + "daughter brother friend enemy sword crown blood tears fortune world time hand eyes").split(" ");
    java.util.Random random = new java.util.Random(7);
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      List<String> choices = new ArrayList<>();
      for (int c = 0; c < 4; c++) choices.add(sentence(words, random, 12));
      rows.add(RowFactory.create("t" + i, sentence(words, random, 25), choices, (long) random.nextInt(4)));
    }
    return spark.createDataFrame(rows, new StructType().add("id", DataTypes.StringType)
        .add("context", DataTypes.StringType).add("choices", DataTypes.createArrayType(DataTypes.StringType))
        .add("gold", DataTypes.LongType));
  }

  private static String sentence(String[] words, java.util.Random random, int length) {
    StringBuilder s = new StringBuilder();
    for (int w = 0; w < length; w++) s.append(w == 0 ? "" : " ").append(words[random.nextInt(words.length)]);
    return s.append('.').toString();
  }

  private void distribution(SparkSession spark, Dataset<Row> prompts, int partitions, ObjectNode out,
      PrintWriter console) throws Exception {
    // load time and resident memory, broadcast vs path: each from an empty executor cache
    ArrayNode loads = out.putArray("distribution");
    for (String d : new String[] {"broadcast", "path"}) {
      ExecutorModelCache.clear();
      System.gc();
      long start = System.nanoTime();
      Map<String, ExecutorStats> stats = run(spark, prompts.limit(partitions),
          BitNetOptions.of(spark).model(model).maxTokens(1).distribution(d));
      double seconds = (System.nanoTime() - start) / 1e9;
      long fileBytes = modelFileBytes(spark);
      long resident = stats.values().stream().mapToLong(ExecutorStats::modelBytes).max().orElse(0);
      long heldBroadcast = d.equals("broadcast") ? fileBytes : 0; // the executor keeps the broadcast chunks
      long loadMillis = stats.values().stream().mapToLong(ExecutorStats::modelLoadMillis).max().orElse(0);
      loads.addObject().put("distribution", d).put("first_job_seconds", seconds).put("executor_load_ms", loadMillis)
          .put("model_file_bytes", fileBytes).put("executor_model_bytes", resident + heldBroadcast)
          .put("executor_memory_over_file", (double) (resident + heldBroadcast) / fileBytes);
      console.printf("%-9s: first job %.2f s, executor load %d ms, executor memory %.2fx the file%n", d, seconds,
          loadMillis, (double) (resident + heldBroadcast) / fileBytes);
    }
  }

  private long modelFileBytes(SparkSession spark) throws Exception {
    return org.bitnetspark.spark.model.ModelLocator.locate(
        org.apache.spark.api.java.JavaSparkContext.fromSparkContext(spark.sparkContext()), model,
        org.bitnetspark.spark.model.ModelDistribution.PATH).ref().sizeBytes();
  }

  /** Runs generation to completion and returns the per-executor statistics. */
  private static Map<String, ExecutorStats> run(SparkSession spark, Dataset<Row> prompts, BitNetOptions options) {
    JobMetrics[] metrics = new JobMetrics[1];
    Dataset<Row> out = BitNet.generate(prompts, options, m -> metrics[0] = m);
    out.select(functions.sum("completion_tokens")).collect();
    return metrics[0].executors.value();
  }

  private static Dataset<Row> prompts(SparkSession spark, int n) {
    String[] starts = {"ROMEO:\n", "JULIET:\n", "KING HENRY VI:\n", "First Citizen:\n", "PETRUCHIO:\n", "HAMLET:\n"};
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < n; i++) rows.add(RowFactory.create("b" + i, starts[i % starts.length]));
    return spark.createDataFrame(rows, new StructType().add("id", DataTypes.StringType).add("prompt", DataTypes.StringType));
  }
}
