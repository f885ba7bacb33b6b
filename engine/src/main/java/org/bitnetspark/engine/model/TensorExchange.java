package org.bitnetspark.engine.model;

/**
 * The collective operations a tensor-sharded forward pass needs (org.bitnetspark.engine.parallel
 * implements them over TCP). Every shard calls the same operations in the same order.
 */
public interface TensorExchange {
  int rank();

  int size();

  /** Sends {@code length} floats of {@code mine} to every other shard; returns every shard's floats, mine at [rank]. */
  float[][] allGather(float[] mine, int length);

  /** Like {@link #allGather}, but only {@code root} receives; returns null on the other shards. */
  float[][] gather(int root, float[] mine, int length);
}
