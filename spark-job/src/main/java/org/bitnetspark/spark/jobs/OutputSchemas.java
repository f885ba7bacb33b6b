package org.bitnetspark.spark.jobs;

import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/** The documented output schemas of the jobs (README, "Spark jobs"). */
public final class OutputSchemas {
  private OutputSchemas() {}

  /** generate: one row per input row. */
  public static final StructType GENERATE = new StructType()
      .add("id", DataTypes.StringType, true)
      .add("prompt", DataTypes.StringType, true)
      .add("completion", DataTypes.StringType, true)
      .add("prompt_tokens", DataTypes.IntegerType, false)
      .add("completion_tokens", DataTypes.IntegerType, false)
      .add("finish_reason", DataTypes.StringType, false) // stop, length, eos, error
      .add("error", DataTypes.StringType, true)
      .add("latency_ms", DataTypes.LongType, false)
      .add("executor_id", DataTypes.StringType, true);

  /** perplexity: one row per input row; the corpus perplexity is in the summary. */
  public static final StructType PERPLEXITY = new StructType()
      .add("id", DataTypes.StringType, true)
      .add("tokens_scored", DataTypes.LongType, false)
      .add("nll_sum", DataTypes.DoubleType, false)
      .add("perplexity", DataTypes.DoubleType, true)
      .add("error", DataTypes.StringType, true)
      .add("latency_ms", DataTypes.LongType, false)
      .add("executor_id", DataTypes.StringType, true);
}
