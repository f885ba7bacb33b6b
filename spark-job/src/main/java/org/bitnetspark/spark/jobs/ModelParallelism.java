package org.bitnetspark.spark.jobs;

import org.bitnetspark.engine.parallel.Parallelism;

/**
 * A job's {@code --parallelism}, {@code --micro-batches} and {@code --peer-timeout}, checked.
 *
 * @param peerTimeoutSeconds how long a rank waits for a peer's connection or next frame before failing
 *     the stage (a dead peer is noticed at once: its connection closes)
 */
public record ModelParallelism(Parallelism parallelism, int peerTimeoutSeconds) {
  public static final int DEFAULT_PEER_TIMEOUT_SECONDS = 600;
  public static final ModelParallelism DATA = new ModelParallelism(Parallelism.DATA, DEFAULT_PEER_TIMEOUT_SECONDS);

  public ModelParallelism {
    if (peerTimeoutSeconds < 1) {
      throw new IllegalArgumentException("peer-timeout " + peerTimeoutSeconds + " must be at least 1 second");
    }
  }

  /** From the options; {@code microBatches} 0 keeps the default (2 per pipeline stage). */
  public static ModelParallelism of(String spec, int microBatches, int peerTimeoutSeconds) {
    Parallelism p = Parallelism.parse(spec);
    if (microBatches < 0) throw new IllegalArgumentException("micro-batches " + microBatches + " must be >= 0");
    if (microBatches > 0) p = p.withMicroBatches(microBatches);
    return new ModelParallelism(p, peerTimeoutSeconds);
  }

  /**
   * How many groups run at once: {@code requested}, or as many as {@code slots} task slots hold. A barrier
   * stage needs every task of it running together, so the groups must fit the slots.
   */
  public int groups(int slots, int requested) {
    int degree = parallelism.degree();
    if (degree > slots) {
      throw new IllegalArgumentException(parallelism + " runs " + degree + " tasks at once (one barrier stage) but "
          + "the cluster has " + slots + " task slots; add executors or cores (local[" + degree + "] for a local run), "
          + "or use a smaller degree");
    }
    int fit = slots / degree;
    if (requested > fit) {
      throw new IllegalArgumentException("--partitions " + requested + " asks for " + requested + " groups of "
          + degree + " tasks, but only " + fit + " fit the cluster's " + slots + " task slots at once");
    }
    return requested > 0 ? requested : fit;
  }
}
