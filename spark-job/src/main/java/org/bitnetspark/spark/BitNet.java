package org.bitnetspark.spark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.function.Consumer;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.bitnetspark.spark.jobs.EvalInput;
import org.bitnetspark.spark.jobs.InputSpec;
import org.bitnetspark.spark.jobs.JobSettings;
import org.bitnetspark.spark.jobs.OutputSchemas;
import org.bitnetspark.spark.metrics.JobMetrics;
import org.bitnetspark.spark.model.ModelLocator;
import org.bitnetspark.spark.run.EvaluatePartition;
import org.bitnetspark.spark.run.GeneratePartition;
import org.bitnetspark.spark.run.PerplexityPartition;

/**
 * The Dataset API: the jobs' processing as lazy transformations, for programs and notebooks. Each
 * input row gives exactly one output row, with the jobs' output schemas; generation is batched per
 * partition (continuous batching), with the model loaded once per executor JVM. The model is checked
 * (and broadcast, if so chosen) when the method is called.
 *
 * <pre>{@code
 * Dataset<Row> completions = BitNet.generate(prompts, BitNetOptions.of(spark).maxTokens(64).temperature(0));
 * Dataset<Row> scores = BitNet.perplexity(documents, BitNetOptions.of(spark).textColumn("body"));
 * }</pre>
 */
public final class BitNet {
  private BitNet() {}

  /** Columns: id, prompt, completion, prompt_tokens, completion_tokens, finish_reason, error, latency_ms, executor_id. */
  public static Dataset<Row> generate(Dataset<Row> input, BitNetOptions options) {
    return generate(input, options, metrics -> { });
  }

  /** As {@link #generate(Dataset, BitNetOptions)}, handing over the accumulators the rows will update. */
  public static Dataset<Row> generate(Dataset<Row> input, BitNetOptions options, Consumer<JobMetrics> metricsSink) {
    SparkSession spark = input.sparkSession();
    Dataset<Row> rows = InputSpec.select(spark, input, options.idColumn(), options.textColumnOr("prompt"),
        options.optionsColumn(), "the input Dataset");
    JobSettings settings = settings(spark, options);
    JobMetrics metrics = new JobMetrics(spark.sparkContext(), "generate");
    metricsSink.accept(metrics);
    return rows.mapPartitions(new GeneratePartition(settings, metrics), Encoders.row(OutputSchemas.GENERATE));
  }

  /** Columns: id, tokens_scored, nll_sum, perplexity, error, latency_ms, executor_id. */
  public static Dataset<Row> perplexity(Dataset<Row> input, BitNetOptions options) {
    SparkSession spark = input.sparkSession();
    Dataset<Row> rows = InputSpec.select(spark, input, options.idColumn(), options.textColumnOr("text"), null,
        "the input Dataset");
    JobSettings settings = settings(spark, options);
    return rows.mapPartitions(new PerplexityPartition(settings, new JobMetrics(spark.sparkContext(), "perplexity")),
        Encoders.row(OutputSchemas.PERPLEXITY));
  }

  /**
   * Evaluates task rows (columns id, task, context, choices, gold for multiple choice; prompt,
   * references for generation; {@link BitNetOptions#columns} maps other names). Columns as the evaluate
   * job's output: id, task, type, gold, chosen, chosen_norm, chosen_per_token, correct, correct_norm,
   * correct_per_token, choice_logliks, choice_tokens, choice_bytes, completion, exact_match, contains,
   * tokens_evaluated, error, latency_ms, executor_id.
   */
  public static Dataset<Row> evaluate(Dataset<Row> input, BitNetOptions options) {
    return evaluate(input, options, metrics -> { });
  }

  /** As {@link #evaluate(Dataset, BitNetOptions)}, handing over the accumulators the rows will update. */
  public static Dataset<Row> evaluate(Dataset<Row> input, BitNetOptions options, Consumer<JobMetrics> metricsSink) {
    SparkSession spark = input.sparkSession();
    Dataset<Row> rows = EvalInput.canonical(input, options.columnMapping(), options.taskNameOr("default"),
        "the input Dataset");
    JobSettings settings = settings(spark, options, true);
    JobMetrics metrics = new JobMetrics(spark.sparkContext(), "evaluate");
    metricsSink.accept(metrics);
    return rows.mapPartitions(new EvaluatePartition(settings, metrics), Encoders.row(OutputSchemas.EVALUATE));
  }

  private static JobSettings settings(SparkSession spark, BitNetOptions options) {
    return settings(spark, options, false);
  }

  private static JobSettings settings(SparkSession spark, BitNetOptions options, boolean evaluation) {
    try {
      ModelLocator.Located located = ModelLocator.locate(JavaSparkContext.fromSparkContext(spark.sparkContext()),
          options.modelLocation(), options.modelDistribution());
      return evaluation ? options.evaluationSettings(located.ref()) : options.settings(located.ref());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read model " + options.modelLocation() + ": " + e.getMessage(), e);
    }
  }
}
