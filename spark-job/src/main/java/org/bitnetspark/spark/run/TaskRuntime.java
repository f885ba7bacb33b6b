package org.bitnetspark.spark.run;

import java.lang.management.ManagementFactory;
import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;
import org.bitnetspark.engine.BitNetEngine;
import org.bitnetspark.spark.jobs.JobSettings;
import org.bitnetspark.spark.metrics.ExecutorStats;
import org.bitnetspark.spark.metrics.JobMetrics;
import org.bitnetspark.spark.model.ExecutorModelCache;

/**
 * What every task of a job does around its rows: borrows the executor's model, opens an engine with
 * the task's threads, and at task end closes it and reports this task's statistics.
 */
final class TaskRuntime {
  final BitNetEngine engine;
  final String executorId;
  private final JobMetrics metrics;
  private final long modelLoadMillis;
  private final boolean loadedModel;
  private final long start = System.nanoTime();
  long rows;
  long tokens;
  long peakKvBytes;

  TaskRuntime(JobSettings settings, JobMetrics metrics) {
    this.metrics = metrics;
    int loadsBefore = ExecutorModelCache.loads();
    ExecutorModelCache.Entry model = ExecutorModelCache.get(settings.model());
    this.loadedModel = ExecutorModelCache.loads() > loadsBefore;
    this.modelLoadMillis = loadedModel ? model.loadMillis() : 0;
    this.engine = new BitNetEngine(model.model(), settings.engineOptions());
    SparkEnv env = SparkEnv.get();
    this.executorId = env == null ? "local" : env.executorId();
    TaskContext ctx = TaskContext.get();
    if (ctx != null) ctx.addTaskCompletionListener((org.apache.spark.util.TaskCompletionListener) c -> finish());
  }

  /** Called once when the task ends (success or failure). */
  void finish() {
    engine.close();
    long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    metrics.executors.add(new ExecutorStats(executorId, 1, rows, tokens, System.nanoTime() - start,
        engine.model().residentWeightBytes(), loadedModel ? 1 : 0, modelLoadMillis, peakKvBytes, heap));
  }
}
