package org.bitnetspark.spark.metrics;

import java.io.Serializable;

/**
 * What one executor JVM did, merged over its tasks: counters add up, peaks take the maximum.
 *
 * @param executorId Spark's executor id ("driver" in local mode)
 * @param tasks tasks run
 * @param rows rows processed
 * @param tokens prompt plus generated (or scored) tokens
 * @param busyNanos time tasks spent in the engine
 * @param modelBytes resident bytes of the loaded model's weights
 * @param modelLoads how many times this JVM loaded the model during the job (1, or 0 if it was cached already)
 * @param modelLoadMillis time the one load of the model took in this JVM (0 if cached)
 * @param peakKvBytes most KV-cache bytes held at once by one task
 * @param peakHeapBytes most heap in use seen at the end of a task
 */
public record ExecutorStats(String executorId, long tasks, long rows, long tokens, long busyNanos, long modelBytes,
    long modelLoads, long modelLoadMillis, long peakKvBytes, long peakHeapBytes) implements Serializable {

  public ExecutorStats merge(ExecutorStats o) {
    return new ExecutorStats(executorId, tasks + o.tasks, rows + o.rows, tokens + o.tokens, busyNanos + o.busyNanos,
        Math.max(modelBytes, o.modelBytes), modelLoads + o.modelLoads, Math.max(modelLoadMillis, o.modelLoadMillis),
        Math.max(peakKvBytes, o.peakKvBytes), Math.max(peakHeapBytes, o.peakHeapBytes));
  }
}
