package org.bitnetspark.spark.jobs;

import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sqrt;
import static org.apache.spark.sql.functions.stddev_samp;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.bitnetspark.spark.metrics.TaskScore;

/** The per-task table of the evaluate job, aggregated by Spark from the written output rows. */
public final class TaskScores {
  private static final String[] METRICS = {"correct", "correct_norm", "correct_per_token", "exact_match", "contains"};

  private TaskScores() {}

  public static List<TaskScore> of(Dataset<Row> output) {
    List<Column> aggs = new ArrayList<>();
    aggs.add(count(lit(1)).as("rows"));
    aggs.add(sum(when(col("error").isNotNull(), 1).otherwise(0)).as("errors"));
    aggs.add(count(col("correct")).plus(count(col("exact_match"))).as("scored"));
    for (String m : METRICS) {
      Column x = col(m).cast("double");
      aggs.add(avg(x).as(m + "_mean"));
      // lm-evaluation-harness's mean_stderr: sample standard deviation / sqrt(n)
      aggs.add(stddev_samp(x).divide(sqrt(count(x))).as(m + "_stderr"));
    }
    aggs.add(sum("tokens_evaluated").as("tokens"));
    aggs.add(sum("latency_ms").as("millis"));
    List<TaskScore> out = new ArrayList<>();
    for (Row r : output.groupBy("task").agg(aggs.get(0), aggs.subList(1, aggs.size()).toArray(new Column[0]))
        .orderBy("task").collectAsList()) {
      long tokens = r.isNullAt(r.fieldIndex("tokens")) ? 0 : r.getLong(r.fieldIndex("tokens"));
      long millis = r.isNullAt(r.fieldIndex("millis")) ? 0 : r.getLong(r.fieldIndex("millis"));
      out.add(new TaskScore(r.getAs("task"), r.getLong(r.fieldIndex("rows")), r.getLong(r.fieldIndex("errors")),
          r.getLong(r.fieldIndex("scored")), d(r, "correct_mean"), d(r, "correct_stderr"), d(r, "correct_norm_mean"),
          d(r, "correct_norm_stderr"), d(r, "correct_per_token_mean"), d(r, "correct_per_token_stderr"),
          d(r, "exact_match_mean"), d(r, "exact_match_stderr"), d(r, "contains_mean"), d(r, "contains_stderr"), tokens,
          tokens / Math.max(millis / 1e3, 1e-3)));
    }
    return out;
  }

  private static Double d(Row r, String field) {
    int i = r.fieldIndex(field);
    return r.isNullAt(i) ? null : r.getDouble(i);
  }
}
