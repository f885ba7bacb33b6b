package org.bitnetspark.spark.run;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;
import org.bitnetspark.engine.BitNetEngine;
import org.bitnetspark.spark.jobs.JobSettings;
import org.bitnetspark.spark.metrics.ExecutorStats;
import org.bitnetspark.spark.metrics.JobMetrics;
import org.bitnetspark.spark.model.ExecutorModelCache;

/**
 * What every task of a job does around its rows: borrows the executor's model (or, in a
 * model-parallel group, its rank's part), opens an engine with the task's threads, and at task end
 * closes it and reports this task's statistics.
 */
final class TaskRuntime {
  final BitNetEngine engine;
  final String executorId;
  /**
   * Sequences (or tasks) decoded together: {@code --batch-size} per task slot, so a group of N tasks
   * runs N x batch-size, as many as N data-parallel tasks would.
   */
  final int batchSize;
  private final JobMetrics metrics;
  private final long modelLoadMillis;
  private final boolean loadedModel;
  private final long start = System.nanoTime();
  private final List<Runnable> beforeFinish = new ArrayList<>();
  long rows;
  long tokens;
  long peakKvBytes;

  /** A data-parallel task: the whole model. */
  TaskRuntime(JobSettings settings, JobMetrics metrics) {
    this(settings, metrics, () -> ExecutorModelCache.get(settings.model()), settings.batchSize());
  }

  /** Rank {@code rank} of a model-parallel group of {@code degree} tasks: only its part of the model. */
  static TaskRuntime forPart(JobSettings settings, JobMetrics metrics, int rank, int degree) {
    return new TaskRuntime(settings, metrics, () -> ExecutorModelCache.getPart(settings.model(), rank),
        settings.batchSize() * degree);
  }

  private TaskRuntime(JobSettings settings, JobMetrics metrics, Supplier<ExecutorModelCache.Entry> load,
      int batchSize) {
    this.metrics = metrics;
    this.batchSize = batchSize;
    ExecutorModelCache.Entry model = load.get();
    this.loadedModel = ExecutorModelCache.lastLookupLoaded();
    this.modelLoadMillis = loadedModel ? model.loadMillis() : 0;
    this.engine = new BitNetEngine(model.model(), settings.engineOptions());
    SparkEnv env = SparkEnv.get();
    this.executorId = env == null ? "local" : env.executorId();
    TaskContext ctx = TaskContext.get();
    if (ctx != null) ctx.addTaskCompletionListener((org.apache.spark.util.TaskCompletionListener) c -> finish());
  }

  /** Runs {@code action} at task end before the engine closes (a group member leaves its group). */
  void beforeFinish(Runnable action) {
    beforeFinish.add(action);
  }

  /** Called once when the task ends (success or failure). */
  void finish() {
    try {
      for (Runnable r : beforeFinish) r.run();
    } finally {
      engine.close();
      long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
      metrics.executors.add(new ExecutorStats(executorId, 1, rows, tokens, System.nanoTime() - start,
          engine.model().residentWeightBytes(), loadedModel ? 1 : 0, modelLoadMillis, peakKvBytes, heap));
    }
  }
}
