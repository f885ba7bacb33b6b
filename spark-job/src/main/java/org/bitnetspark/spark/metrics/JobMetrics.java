package org.bitnetspark.spark.metrics;

import java.io.Serializable;
import org.apache.spark.SparkContext;
import org.apache.spark.util.CollectionAccumulator;
import org.apache.spark.util.LongAccumulator;

/**
 * The job's named accumulators: visible in the Spark UI, read by the progress listener while tasks
 * run (executor heartbeats carry them), and summed into the summary at the end.
 */
public final class JobMetrics implements Serializable {
  private static final long serialVersionUID = 1L;
  public static final String PREFIX = "bitnet.";

  public final LongAccumulator rows;
  public final LongAccumulator errors;
  public final LongAccumulator promptTokens;
  public final LongAccumulator outputTokens;
  public final ExecutorStatsAccumulator executors;
  /** Model-parallel jobs: one entry per rank of every group. */
  public final CollectionAccumulator<RankStats> ranks;

  public JobMetrics(SparkContext sc, String job) {
    rows = sc.longAccumulator(PREFIX + job + ".rows");
    errors = sc.longAccumulator(PREFIX + job + ".errors");
    promptTokens = sc.longAccumulator(PREFIX + job + ".prompt_tokens");
    outputTokens = sc.longAccumulator(PREFIX + job + ".output_tokens");
    executors = new ExecutorStatsAccumulator();
    sc.register(executors, PREFIX + job + ".executors");
    ranks = sc.collectionAccumulator(PREFIX + job + ".model_parallel_ranks");
  }
}
