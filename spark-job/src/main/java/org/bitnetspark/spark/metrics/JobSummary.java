package org.bitnetspark.spark.metrics;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/**
 * What a job did, printed at the end and written as the statistics JSON.
 *
 * @param corpusPerplexity token-weighted perplexity over all rows (perplexity job), else null
 * @param tasks per-task scores (evaluate job), else null
 * @param modelParallel a model-parallel job's groups, ranks and traffic, else null
 */
public record JobSummary(String job, String model, String distribution, long modelFileBytes, long broadcastBytes,
    long rowsIn, long rowsOut, long errors, long promptTokens, long outputTokens, double wallSeconds,
    int executorCores, Double corpusPerplexity, List<ProgressListener.StageStats> stages,
    Map<String, ExecutorStats> executors, @JsonInclude(JsonInclude.Include.NON_NULL) List<TaskScore> tasks,
    @JsonInclude(JsonInclude.Include.NON_NULL) ModelParallelSummary modelParallel) {

  @JsonProperty("tokens_per_second")
  public double tokensPerSecond() {
    return (promptTokens + outputTokens) / Math.max(wallSeconds, 1e-9);
  }

  @JsonProperty("output_tokens_per_second_per_core")
  public double outputTokensPerSecondPerCore() {
    return outputTokens / Math.max(wallSeconds, 1e-9) / Math.max(executorCores, 1);
  }

  @JsonProperty("model_load_millis_max")
  public long maxModelLoadMillis() {
    return executors.values().stream().mapToLong(ExecutorStats::modelLoadMillis).max().orElse(0);
  }

  /** Human-readable lines for the console. */
  @JsonIgnore
  public String describe() {
    StringBuilder s = new StringBuilder();
    s.append(String.format("bitnet %s summary%n", job));
    s.append(String.format("  rows: %d in, %d out, %d errors%s%n", rowsIn, rowsOut, errors,
        rowsIn == rowsOut ? " (every input row has its output row)" : " (ROW COUNT MISMATCH)"));
    s.append(String.format("  tokens: %d prompt/input, %d %s; wall %.1f s; %.1f tokens/s; %.2f output tokens/s per "
        + "executor core (%d cores)%n", promptTokens, outputTokens, job.equals("perplexity") ? "scored" : "generated or scored",
        wallSeconds, tokensPerSecond(), outputTokensPerSecondPerCore(), executorCores));
    if (corpusPerplexity != null) s.append(String.format("  corpus perplexity: %.4f%n", corpusPerplexity));
    if (tasks != null) {
      s.append("  tasks (accuracy ± standard error):\n");
      for (TaskScore t : tasks) s.append(t.describe());
    }
    s.append(String.format("  model: %s (%,d bytes), distribution %s%s, load %d ms (slowest executor)%n", model,
        modelFileBytes, distribution, broadcastBytes > 0 ? String.format(", broadcast %,d bytes", broadcastBytes) : "",
        maxModelLoadMillis()));
    if (modelParallel != null) s.append(modelParallel.describe());
    for (ProgressListener.StageStats st : stages) {
      s.append(String.format("  stage %d (%s): %d tasks, %.1f s, %d rows, %d output tokens%n", st.stageId(),
          st.name().replaceAll(" at .*", ""), st.tasks(), st.durationMillis() / 1e3, st.rows(), st.outputTokens()));
    }
    for (ExecutorStats e : executors.values()) {
      s.append(String.format("  executor %s: %d tasks, %d rows, model %,d bytes resident (loaded %d time(s) in this "
          + "job), peak KV cache %,d bytes, peak heap %,d bytes%n", e.executorId(), e.tasks(), e.rows(), e.modelBytes(),
          e.modelLoads(), e.peakKvBytes(), e.peakHeapBytes()));
    }
    return s.toString();
  }
}
