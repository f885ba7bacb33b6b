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

  /**
   * evaluate: one row per task row. Multiple-choice rows fill the choice columns (chosen by summed
   * log-likelihood, per byte of the choice text, and per token); generation rows the completion and
   * its metrics. The correct columns are null for unlabelled rows and for errors.
   */
  public static final StructType EVALUATE = new StructType()
      .add("id", DataTypes.StringType, true)
      .add("task", DataTypes.StringType, true)
      .add("type", DataTypes.StringType, true) // multiple_choice, generation
      .add("gold", DataTypes.IntegerType, true)
      .add("chosen", DataTypes.IntegerType, true)
      .add("chosen_norm", DataTypes.IntegerType, true)
      .add("chosen_per_token", DataTypes.IntegerType, true)
      .add("correct", DataTypes.BooleanType, true)
      .add("correct_norm", DataTypes.BooleanType, true)
      .add("correct_per_token", DataTypes.BooleanType, true)
      .add("choice_logliks", DataTypes.createArrayType(DataTypes.DoubleType, false), true)
      .add("choice_tokens", DataTypes.createArrayType(DataTypes.IntegerType, false), true)
      .add("choice_bytes", DataTypes.createArrayType(DataTypes.IntegerType, false), true)
      .add("completion", DataTypes.StringType, true)
      .add("exact_match", DataTypes.BooleanType, true)
      .add("contains", DataTypes.BooleanType, true)
      .add("tokens_evaluated", DataTypes.LongType, false)
      .add("error", DataTypes.StringType, true)
      .add("latency_ms", DataTypes.LongType, false)
      .add("executor_id", DataTypes.StringType, true);
}
