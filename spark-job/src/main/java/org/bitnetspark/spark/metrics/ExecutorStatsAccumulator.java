package org.bitnetspark.spark.metrics;

import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.util.AccumulatorV2;

/** Per-executor statistics, merged by executor id (shown in the Spark UI by name). */
public final class ExecutorStatsAccumulator extends AccumulatorV2<ExecutorStats, Map<String, ExecutorStats>> {
  private static final long serialVersionUID = 1L;
  private final TreeMap<String, ExecutorStats> byExecutor = new TreeMap<>();

  @Override
  public boolean isZero() {
    return byExecutor.isEmpty();
  }

  @Override
  public AccumulatorV2<ExecutorStats, Map<String, ExecutorStats>> copy() {
    ExecutorStatsAccumulator c = new ExecutorStatsAccumulator();
    synchronized (this) {
      c.byExecutor.putAll(byExecutor);
    }
    return c;
  }

  @Override
  public synchronized void reset() {
    byExecutor.clear();
  }

  @Override
  public synchronized void add(ExecutorStats s) {
    byExecutor.merge(s.executorId(), s, ExecutorStats::merge);
  }

  @Override
  public synchronized void merge(AccumulatorV2<ExecutorStats, Map<String, ExecutorStats>> other) {
    other.value().values().forEach(this::add);
  }

  @Override
  public synchronized Map<String, ExecutorStats> value() {
    return new TreeMap<>(byExecutor);
  }
}
