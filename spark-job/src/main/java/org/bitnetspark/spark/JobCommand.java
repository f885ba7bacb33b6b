package org.bitnetspark.spark;

import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import org.bitnetspark.engine.kernel.ActivationQuant;
import org.bitnetspark.engine.model.KvCache;
import org.bitnetspark.spark.jobs.BatchJob;
import org.bitnetspark.spark.jobs.InputSpec;
import org.bitnetspark.spark.jobs.JobInput;
import org.bitnetspark.spark.jobs.JobSettings;
import org.bitnetspark.spark.jobs.ModelParallelism;
import org.bitnetspark.spark.jobs.OutputSpec;
import org.bitnetspark.spark.model.ModelDistribution;
import org.bitnetspark.spark.model.ModelRef;
import picocli.CommandLine.Option;

/** Options every job takes; options are checked before Spark starts. */
abstract class JobCommand implements Callable<Integer> {
  @Option(names = "--input", required = true, paramLabel = "PATH", description = "Input path (or table name).")
  String input;

  @Option(names = "--input-format", paramLabel = "FORMAT", defaultValue = "auto",
      description = "parquet, json (JSON lines), csv (with a header), text (one row per line), table, or auto: "
          + "from the file extension, parquet otherwise (default: ${DEFAULT-VALUE}).")
  String inputFormat;

  @Option(names = "--id-col", paramLabel = "COL", defaultValue = "id",
      description = "Id column; without one, rows are numbered by their position in the input (default: ${DEFAULT-VALUE}).")
  String idCol;

  @Option(names = "--output", required = true, paramLabel = "PATH", description = "Output directory (or table name).")
  String output;

  @Option(names = "--output-format", paramLabel = "FORMAT", defaultValue = "parquet",
      description = "parquet, json or table (default: ${DEFAULT-VALUE}).")
  String outputFormat;

  @Option(names = "--mode", paramLabel = "MODE", defaultValue = "error",
      description = "When the output exists: error, overwrite, append or ignore (default: ${DEFAULT-VALUE}).")
  String mode;

  @Option(names = "--stats", paramLabel = "PATH", description = "Statistics JSON (default: <output>.stats.json).")
  String stats;

  @Option(names = "--model", paramLabel = "URI", defaultValue = "default",
      description = "GGUF model: hdfs://, s3a://, file:// or any Hadoop path, or 'default' for the bundled model "
          + "(default: ${DEFAULT-VALUE}).")
  String model;

  @Option(names = "--model-distribution", paramLabel = "MODE", defaultValue = "auto",
      description = "broadcast (the driver reads the model once and broadcasts it), path (each executor reads it "
          + "from the model path), auto (broadcast up to 2 GiB) (default: ${DEFAULT-VALUE}).")
  String distribution;

  @Option(names = "--activation-quant", paramLabel = "MODE", defaultValue = "per-token",
      description = "per-token, q8k or none (default: ${DEFAULT-VALUE}); see the engine README.")
  String activationQuant;

  @Option(names = "--kv-cache", paramLabel = "TYPE", defaultValue = "f16", description = "f16 or f32 (default: ${DEFAULT-VALUE}).")
  String kvCache;

  @Option(names = "--threads-per-task", paramLabel = "N", defaultValue = "0",
      description = "Engine threads in each task; 0 means spark.task.cpus (default: ${DEFAULT-VALUE}).")
  int threadsPerTask;

  @Option(names = "--batch-size", paramLabel = "N", defaultValue = "16",
      description = "Sequences decoded together in a task (continuous batching) (default: ${DEFAULT-VALUE}).")
  int batchSize;

  @Option(names = "--partitions", paramLabel = "N", defaultValue = "0",
      description = "Partitions to process in; 0 means at least the default parallelism (default: ${DEFAULT-VALUE}).")
  int partitions;

  @Option(names = "--parallelism", paramLabel = "MODE", defaultValue = "data",
      description = "data (every task holds the whole model), pipeline:N (N executors each run a contiguous range of "
          + "layers) or tensor:N (N executors each hold 1/N of every layer) (default: ${DEFAULT-VALUE}).")
  String parallelism;

  @Option(names = "--micro-batches", paramLabel = "N", defaultValue = "0",
      description = "pipeline:N only: micro-batches per forward step; 0 means 2N (default: ${DEFAULT-VALUE}).")
  int microBatches;

  @Option(names = "--peer-timeout", paramLabel = "SECONDS", defaultValue = "600",
      description = "Model-parallel ranks fail the stage when a peer sends nothing for this long (default: "
          + "${DEFAULT-VALUE}).")
  int peerTimeout;

  /** The job this command runs. */
  abstract BatchJob.Kind kind();

  /** The text column's default. */
  abstract String textColumn();

  /** The per-row options column, or null. */
  String optionsColumn() {
    return null;
  }

  abstract JobSettings settings(ModelRef model, int threads);

  /** How this job reads its input. */
  JobInput jobInput(String format) {
    return new InputSpec(input, format, idCol, textColumn(), optionsColumn());
  }

  @Override
  public Integer call() throws Exception {
    // everything is validated before Spark starts
    ActivationQuant.parse(activationQuant);
    KvCache.Type.parse(kvCache);
    ModelDistribution d = ModelDistribution.parse(distribution);
    ModelParallelism mp = ModelParallelism.of(parallelism, microBatches, peerTimeout);
    if (batchSize < 1) throw new IllegalArgumentException("batch-size " + batchSize + " must be at least 1");
    if (threadsPerTask < 0) throw new IllegalArgumentException("threads-per-task " + threadsPerTask + " must be >= 0");
    JobInput in = jobInput(resolveInputFormat());
    OutputSpec out = new OutputSpec(output, outputFormat, mode, stats);
    settings(new ModelRef(model, 0, 0, null), 1); // checks the generation options too
    SparkSession spark = BitNetSparkMain.session("bitnet " + kind().jobName);
    int threads = threadsPerTask > 0 ? threadsPerTask : spark.sparkContext().getConf().getInt("spark.task.cpus", 1);
    PrintStream console = System.err;
    BatchJob.run(spark, kind(), in, out, model, d, ref -> settings(ref, threads), partitions, mp, console);
    return 0;
  }

  String resolveInputFormat() {
    if (!inputFormat.equalsIgnoreCase("auto")) return inputFormat;
    String p = input.toLowerCase(Locale.ROOT);
    if (p.endsWith(".json") || p.endsWith(".jsonl")) return "json";
    if (p.endsWith(".csv")) return "csv";
    if (p.endsWith(".txt")) return "text";
    return "parquet";
  }
}
