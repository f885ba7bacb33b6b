package org.bitnetspark.spark.metrics;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One task's results in the evaluate job's summary. Accuracies are means over the rows that have a
 * gold answer (or references), with the standard error of the mean as lm-evaluation-harness reports
 * it (sample standard deviation / sqrt(n)); null where the task has no such rows.
 *
 * @param tokensPerSecond tokens evaluated per second of the task's own compute time (its rows' latencies)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TaskScore(String task, long rows, long errors, long scored, Double acc, Double accStderr,
    Double accNorm, Double accNormStderr, Double accPerToken, Double accPerTokenStderr, Double exactMatch,
    Double exactMatchStderr, Double contains, Double containsStderr, long tokensEvaluated, double tokensPerSecond) {

  /** One line for the console table. */
  String describe() {
    StringBuilder s = new StringBuilder(String.format("  %-28s %7d rows %5d errors", task, rows, errors));
    if (acc != null) {
      s.append(String.format("  acc %.4f ± %.4f  acc_norm %.4f ± %.4f  acc_per_token %.4f ± %.4f", acc, accStderr,
          accNorm, accNormStderr, accPerToken, accPerTokenStderr));
    }
    if (exactMatch != null) {
      s.append(String.format("  exact_match %.4f ± %.4f  contains %.4f ± %.4f", exactMatch, exactMatchStderr, contains,
          containsStderr));
    }
    return s.append(String.format("  %.1f tokens/s%n", tokensPerSecond)).toString();
  }
}
