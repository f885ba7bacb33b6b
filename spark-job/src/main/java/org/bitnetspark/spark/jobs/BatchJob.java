package org.bitnetspark.spark.jobs;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.util.function.Function;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.StructType;
import org.bitnetspark.engine.parallel.Parallelism;
import org.bitnetspark.engine.parallel.PeerMesh;
import org.bitnetspark.spark.metrics.JobMetrics;
import org.bitnetspark.spark.metrics.JobSummary;
import org.bitnetspark.spark.metrics.ModelParallelSummary;
import org.bitnetspark.spark.metrics.ProgressListener;
import org.bitnetspark.spark.model.HadoopConfs;
import org.bitnetspark.spark.model.ModelDistribution;
import org.bitnetspark.spark.model.ModelLocator;
import org.bitnetspark.spark.model.ModelRef;
import org.bitnetspark.spark.run.EvaluatePartition;
import org.bitnetspark.spark.run.GeneratePartition;
import org.bitnetspark.spark.run.GroupPlan;
import org.bitnetspark.spark.run.GroupStage;
import org.bitnetspark.spark.run.PerplexityPartition;

/**
 * The driver's part of a batch job (docs: ../shared/docs/DESIGN.md section 2): read and count the
 * input, check and distribute the model, run one engine per partition, write through Spark's
 * writer, then read the output back to check that every input row has exactly one output row, and
 * print and save the summary.
 */
public final class BatchJob {
  /** The jobs. */
  public enum Kind {
    GENERATE("generate", OutputSchemas.GENERATE),
    PERPLEXITY("perplexity", OutputSchemas.PERPLEXITY),
    EVALUATE("evaluate", OutputSchemas.EVALUATE);

    public final String jobName;
    final StructType schema;

    Kind(String jobName, StructType schema) {
      this.jobName = jobName;
      this.schema = schema;
    }
  }

  /** The job failed its own end check (never expected; reported with exit code 1). */
  public static final class RowCountMismatch extends RuntimeException {
    private static final long serialVersionUID = 1L;

    RowCountMismatch(String message) {
      super(message);
    }
  }

  private BatchJob() {}

  /**
   * Runs a job.
   *
   * @param settings builds the task settings once the model reference is known
   * @param partitions how many partitions to process in; 0 means at least the default parallelism
   */
  public static JobSummary run(SparkSession spark, Kind kind, JobInput input, OutputSpec output, String model,
      ModelDistribution distribution, Function<ModelRef, JobSettings> settings, int partitions, PrintStream console)
      throws IOException {
    return run(spark, kind, input, output, model, distribution, settings, partitions, ModelParallelism.DATA, console);
  }

  /**
   * Runs a job; a model-parallel one runs {@code partitions} groups (0: as many as the cluster's task
   * slots hold at once) as one barrier stage.
   */
  public static JobSummary run(SparkSession spark, Kind kind, JobInput input, OutputSpec output, String model,
      ModelDistribution distribution, Function<ModelRef, JobSettings> settings, int partitions,
      ModelParallelism modelParallelism, PrintStream console) throws IOException {
    long start = System.nanoTime();
    JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    Parallelism parallelism = modelParallelism.parallelism();
    int groups = parallelism.isModelParallel() ? modelParallelism.groups(sc.defaultParallelism(), partitions) : 0;
    Dataset<Row> rows = input.read(spark);
    ModelLocator.Located located = ModelLocator.locate(sc, model, distribution, parallelism);
    long total = rows.count();
    console.printf("[bitnet %s] %d rows from %s; model %s (%s, %d layers); distribution %s%s%n", kind.jobName, total,
        input.path(), model, located.config().architecture(), located.config().layers(),
        located.distribution().name().toLowerCase(), parallelism.isModelParallel()
            ? String.format("; %s in %d group(s) of %d tasks", parallelism, groups, parallelism.degree()) : "");
    JobSettings taskSettings = settings.apply(located.ref());
    JobMetrics metrics = new JobMetrics(spark.sparkContext(), kind.jobName);
    ProgressListener progress = new ProgressListener(kind.jobName, total, console, 2000);
    spark.sparkContext().addSparkListener(progress);
    try {
      MapPartitionsFunction<Row, Row> work = switch (kind) {
        case GENERATE -> new GeneratePartition(taskSettings, metrics);
        case PERPLEXITY -> new PerplexityPartition(taskSettings, metrics);
        case EVALUATE -> new EvaluatePartition(taskSettings, metrics);
      };
      sc.setCallSite("bitnet " + kind.jobName + " (inference and write)"); // names the stage in the UI and summary
      if (parallelism.isModelParallel()) {
        GroupPlan plan = new GroupPlan(parallelism, groups, PeerMesh.newSecret(),
            modelParallelism.peerTimeoutSeconds(), rows.schema());
        output.write(GroupStage.run(spark, rows, plan, taskSettings, metrics, work, kind.schema));
      } else {
        int target = partitions > 0 ? partitions : Math.max(rows.rdd().getNumPartitions(), sc.defaultParallelism());
        Dataset<Row> spread = target != rows.rdd().getNumPartitions() ? rows.repartition(target) : rows;
        output.write(spread.mapPartitions(work, Encoders.row(kind.schema)));
      }
      progress.printNow();
    } finally {
      sc.clearCallSite();
      spark.sparkContext().removeSparkListener(progress);
    }
    Dataset<Row> written = output.readBack(spark, kind.schema);
    long rowsOut = written.count();
    long errors = written.filter(functions.col("error").isNotNull()).count();
    Double corpusPerplexity = null;
    if (kind == Kind.PERPLEXITY) {
      Row sums = written.filter(functions.col("error").isNull())
          .agg(functions.sum("nll_sum"), functions.sum("tokens_scored")).first();
      if (!sums.isNullAt(1) && sums.getLong(1) > 0) corpusPerplexity = Math.exp(sums.getDouble(0) / sums.getLong(1));
    }
    JobSummary summary = new JobSummary(kind.jobName, model, located.distribution().name().toLowerCase(),
        located.ref().sizeBytes(), located.broadcastBytes(), total, rowsOut, errors, metrics.promptTokens.value(),
        metrics.outputTokens.value(), (System.nanoTime() - start) / 1e9, sc.defaultParallelism(), corpusPerplexity,
        progress.stages(), metrics.executors.value(), kind == Kind.EVALUATE ? TaskScores.of(written) : null,
        parallelism.isModelParallel()
            ? ModelParallelSummary.of(parallelism, groups, located.config(), metrics.ranks.value()) : null);
    console.print(summary.describe());
    writeStats(summary, output.resolvedStatsPath());
    console.println("  statistics: " + output.resolvedStatsPath());
    if (rowsOut != total && !output.mode().equalsIgnoreCase("append")) {
      throw new RowCountMismatch("the output has " + rowsOut + " rows but the input has " + total);
    }
    return summary;
  }

  static void writeStats(JobSummary summary, String location) throws IOException {
    Path path = new Path(location);
    FileSystem fs = path.getFileSystem(HadoopConfs.current());
    try (OutputStream out = fs.create(path, true)) {
      new ObjectMapper().setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
          .enable(SerializationFeature.INDENT_OUTPUT).writeValue(out, summary);
    }
  }
}
