package org.bitnetspark.spark.metrics;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.bitnetspark.engine.model.ModelConfig;
import org.bitnetspark.engine.parallel.GroupStats;
import org.bitnetspark.engine.parallel.Parallelism;

/**
 * A model-parallel job's groups in numbers: per rank its weight bytes, time computing, blocked on
 * peers and idle, and traffic; over the job the pipeline bubble, and the bytes that crossed between
 * ranks per token against the scheme's minimum ({@link Parallelism#minimumBytes}).
 *
 * @param bubbleFraction pipeline: the share of stage-time idle during forward steps,
 *     1 - Σ stage compute / (stages × controller step time); null for tensor sharding
 * @param bytesPerToken bytes received by all ranks per batch row the controllers ran
 * @param minimumBytesPerToken the scheme's minimum for the same rows (activations as float32)
 */
public record ModelParallelSummary(String parallelism, int groups, int microBatches, List<Rank> ranks,
    Double bubbleFraction, double commFraction, double bytesPerToken, double minimumBytesPerToken) {

  /** One rank's figures. */
  public record Rank(int group, int rank, String executorId, boolean controller, long weightBytes,
      double computeSeconds, double commSeconds, double idleSeconds, long bytesSent, long bytesReceived) {}

  public static ModelParallelSummary of(Parallelism p, int groups, ModelConfig config, List<RankStats> reported) {
    List<Rank> ranks = new ArrayList<>();
    long tokens = 0;
    long logitRows = 0;
    long received = 0;
    double compute = 0;
    double comm = 0;
    double controllerStepSeconds = 0;
    for (RankStats r : reported) {
      GroupStats s = r.stats();
      ranks.add(new Rank(r.group(), s.rank(), r.executorId(), s.controller(), s.weightBytes(), s.computeNanos() / 1e9,
          s.commNanos() / 1e9, s.idleNanos() / 1e9, s.bytesSent(), s.bytesReceived()));
      if (s.controller()) {
        tokens += s.tokens();
        logitRows += s.logitRows();
        controllerStepSeconds += s.forwardNanos() / 1e9;
      }
      received += s.bytesReceived();
      compute += s.computeNanos() / 1e9;
      comm += s.commNanos() / 1e9;
    }
    ranks.sort(Comparator.comparingInt(Rank::group).thenComparingInt(Rank::rank));
    Double bubble = p.mode() == Parallelism.Mode.PIPELINE && controllerStepSeconds > 0
        ? Math.max(0, 1 - compute / (p.degree() * controllerStepSeconds)) : null;
    return new ModelParallelSummary(p.toString(), groups, p.microBatches(), ranks, bubble,
        comm / Math.max(1e-9, compute + comm), received / (double) Math.max(1, tokens),
        p.minimumBytes(config, tokens, logitRows) / (double) Math.max(1, tokens));
  }

  /** Console lines. */
  public String describe() {
    StringBuilder s = new StringBuilder(String.format("  model parallel %s: %d group(s)%s; %.0f bytes crossed per token"
        + " (minimum for the scheme %.0f, %.2fx); %.0f%% of busy time blocked on peers%s%n", parallelism, groups,
        parallelism.startsWith("pipeline") ? ", " + microBatches + " micro-batches a step" : "", bytesPerToken,
        minimumBytesPerToken, bytesPerToken / Math.max(1e-9, minimumBytesPerToken), 100 * commFraction,
        bubbleFraction == null ? "" : String.format("; pipeline bubble %.0f%%", 100 * bubbleFraction)));
    for (Rank r : ranks) {
      s.append(String.format("    group %d rank %d%s on executor %s: weights %,d bytes; compute %.1f s, blocked %.1f s,"
          + " idle %.1f s; sent %,d bytes, received %,d bytes%n", r.group, r.rank, r.controller ? " (controller)" : "",
          r.executorId, r.weightBytes, r.computeSeconds, r.commSeconds, r.idleSeconds, r.bytesSent, r.bytesReceived));
    }
    return s.toString();
  }
}
