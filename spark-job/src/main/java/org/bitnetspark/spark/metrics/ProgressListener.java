package org.bitnetspark.spark.metrics;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.scheduler.AccumulableInfo;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerExecutorMetricsUpdate;
import org.apache.spark.scheduler.SparkListenerStageCompleted;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.scheduler.StageInfo;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Prints the job's progress on the driver console while it runs: rows done of the total, tokens per
 * second, errors so far and the time left. Running tasks' accumulator values arrive with executor
 * heartbeats, so progress moves within long tasks, not only when they end. Also records each
 * completed stage that processed rows, for the per-stage statistics.
 */
public final class ProgressListener extends SparkListener {
  private final String job;
  private final long totalRows;
  private final PrintStream console;
  private final long intervalMillis;
  private final String rowsName;
  private final String errorsName;
  private final String tokensName;
  private final long startNanos = System.nanoTime();
  private final Map<Long, Map<String, Long>> running = new HashMap<>();
  private final Map<String, Long> finished = new HashMap<>();
  private final List<StageStats> stages = new ArrayList<>();
  private long lastPrintNanos;

  /** One stage that ran the engine. */
  public record StageStats(int stageId, String name, int tasks, long durationMillis, long rows, long outputTokens) {}

  public ProgressListener(String job, long totalRows, PrintStream console, long intervalMillis) {
    this.job = job;
    this.totalRows = totalRows;
    this.console = console;
    this.intervalMillis = intervalMillis;
    this.rowsName = JobMetrics.PREFIX + job + ".rows";
    this.errorsName = JobMetrics.PREFIX + job + ".errors";
    this.tokensName = JobMetrics.PREFIX + job + ".output_tokens";
  }

  @Override
  public synchronized void onExecutorMetricsUpdate(SparkListenerExecutorMetricsUpdate update) {
    for (var t : CollectionConverters.asJava(update.accumUpdates())) {
      Map<String, Long> values = ours(t._4());
      if (!values.isEmpty()) running.put((Long) t._1(), values);
    }
    maybePrint(false);
  }

  @Override
  public synchronized void onTaskEnd(SparkListenerTaskEnd end) {
    running.remove(end.taskInfo().taskId());
    if (end.taskInfo().successful()) {
      ours(end.taskInfo().accumulables()).forEach((k, v) -> finished.merge(k, v, Long::sum));
    }
    maybePrint(false);
  }

  @Override
  public synchronized void onStageCompleted(SparkListenerStageCompleted completed) {
    StageInfo info = completed.stageInfo();
    Map<String, Long> values = new HashMap<>();
    for (AccumulableInfo a : CollectionConverters.asJava(info.accumulables()).values()) {
      String name = a.name().isDefined() ? a.name().get() : "";
      if (name.equals(rowsName) || name.equals(tokensName)) values.put(name, toLong(a.value().getOrElse(() -> 0L)));
    }
    long rows = values.getOrDefault(rowsName, 0L);
    if (rows > 0) {
      long duration = info.completionTime().isDefined() && info.submissionTime().isDefined()
          ? (Long) info.completionTime().get() - (Long) info.submissionTime().get() : 0;
      stages.add(new StageStats(info.stageId(), info.name(), info.numTasks(), duration, rows,
          values.getOrDefault(tokensName, 0L)));
    }
  }

  public synchronized List<StageStats> stages() {
    return List.copyOf(stages);
  }

  /** Prints a progress line now. */
  public synchronized void printNow() {
    maybePrint(true);
  }

  private Map<String, Long> ours(scala.collection.Iterable<AccumulableInfo> infos) {
    Map<String, Long> out = new HashMap<>();
    for (AccumulableInfo a : CollectionConverters.asJava(infos)) {
      String name = a.name().isDefined() ? a.name().get() : "";
      if ((name.equals(rowsName) || name.equals(errorsName) || name.equals(tokensName)) && a.update().isDefined()) {
        out.put(name, toLong(a.update().get()));
      }
    }
    return out;
  }

  private static long toLong(Object v) {
    return v instanceof Number n ? n.longValue() : Long.parseLong(String.valueOf(v));
  }

  private long total(String name) {
    long sum = finished.getOrDefault(name, 0L);
    for (Map<String, Long> m : running.values()) sum += m.getOrDefault(name, 0L);
    return sum;
  }

  private void maybePrint(boolean force) {
    long now = System.nanoTime();
    if (!force && (now - lastPrintNanos) / 1_000_000 < intervalMillis) return;
    lastPrintNanos = now;
    long rows = total(rowsName);
    double seconds = (now - startNanos) / 1e9;
    double rowsPerSecond = rows / Math.max(seconds, 1e-9);
    String eta = rows == 0 ? "?" : formatDuration((totalRows - rows) / rowsPerSecond);
    console.printf("[bitnet %s] rows %d/%d (%.1f%%) | %.1f tokens/s | errors %d | ETA %s%n", job, rows, totalRows,
        totalRows == 0 ? 100.0 : 100.0 * rows / totalRows, total(tokensName) / Math.max(seconds, 1e-9),
        total(errorsName), eta);
  }

  static String formatDuration(double seconds) {
    long s = Math.max(0, Math.round(seconds));
    return String.format("%d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60);
  }
}
