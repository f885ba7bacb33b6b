package org.bitnetspark.spark.run;

import java.io.Serializable;
import org.apache.spark.sql.types.StructType;
import org.bitnetspark.engine.parallel.Parallelism;

/**
 * How a model-parallel job lays its groups over one barrier stage: {@code groups} groups of
 * {@code degree} tasks, group g's rank r in partition {@code g * degree + r}; the input rows of a group
 * all go to its controller's partition. Shipped in the task closure with the job's secret (Spark's
 * closures travel over its RPC, which {@code spark.authenticate} and {@code spark.network.crypto.enabled}
 * protect on a shared cluster).
 *
 * @param inputSchema the input rows' schema (rows cross the shuffle as values only)
 */
public record GroupPlan(Parallelism parallelism, int groups, byte[] secret, int timeoutSeconds,
    StructType inputSchema) implements Serializable {

  public int degree() {
    return parallelism.degree();
  }

  public int partitions() {
    return groups * degree();
  }

  public int partitionOf(int group, int rank) {
    return group * degree() + rank;
  }

  /** Where the {@code i}-th row dealt goes: the controller of group {@code i mod groups}. */
  public int controllerPartitionFor(int i) {
    return partitionOf(Math.floorMod(i, groups), parallelism.controllerRank());
  }
}
