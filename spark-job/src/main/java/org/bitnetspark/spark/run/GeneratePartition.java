package org.bitnetspark.spark.run;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.bitnetspark.engine.generate.BatchScheduler;
import org.bitnetspark.engine.generate.FinishReason;
import org.bitnetspark.engine.generate.GenerationRequest;
import org.bitnetspark.engine.generate.GenerationResult;
import org.bitnetspark.spark.jobs.JobSettings;
import org.bitnetspark.spark.jobs.RowOptions;
import org.bitnetspark.spark.metrics.JobMetrics;

/**
 * Generation over one partition: input rows (id, text[, options]) stream through the engine's
 * continuous-batching scheduler, and every input row yields exactly one output row
 * ({@link org.bitnetspark.spark.jobs.OutputSchemas#GENERATE}); a row that cannot be processed
 * carries its error instead. Output order is completion order.
 */
public final class GeneratePartition implements MapPartitionsFunction<Row, Row>, PartitionWork {
  private static final long serialVersionUID = 1L;
  private final JobSettings settings;
  private final JobMetrics metrics;

  public GeneratePartition(JobSettings settings, JobMetrics metrics) {
    this.settings = settings;
    this.metrics = metrics;
  }

  /** Input rows are (id, text) or (id, text, options). */
  @Override
  public Iterator<Row> call(Iterator<Row> input) {
    return run(input, new TaskRuntime(settings, metrics));
  }

  @Override
  public Iterator<Row> run(Iterator<Row> input, TaskRuntime task) {
    BatchScheduler scheduler = task.engine.newScheduler(task.batchSize);
    ArrayDeque<Row> rejected = new ArrayDeque<>();
    Map<String, String[]> inFlight = new HashMap<>(); // request id -> (row id, prompt)
    Iterator<GenerationRequest> requests = new Iterator<>() {
      private GenerationRequest pending;
      private long sequence;

      @Override
      public boolean hasNext() {
        while (pending == null && input.hasNext()) {
          Row row = input.next();
          String id = row.isNullAt(0) ? null : String.valueOf(row.get(0));
          String prompt = row.isNullAt(1) ? null : row.getString(1);
          Object options = row.size() > 2 && !row.isNullAt(2) ? row.get(2) : null;
          String requestId = Long.toString(sequence++);
          try {
            pending = RowOptions.request(settings, requestId, id == null ? "" : id, prompt == null ? "" : prompt, options);
            inFlight.put(requestId, new String[] {id, prompt});
          } catch (IllegalArgumentException e) {
            rejected.add(errorRow(id, prompt, e.getMessage(), task.executorId));
          }
        }
        return pending != null;
      }

      @Override
      public GenerationRequest next() {
        if (!hasNext()) throw new NoSuchElementException();
        GenerationRequest r = pending;
        pending = null;
        return r;
      }
    };
    Iterator<GenerationResult> results = scheduler.stream(requests);
    return new Iterator<>() {
      @Override
      public boolean hasNext() {
        if (!rejected.isEmpty()) return true;
        boolean more = results.hasNext(); // pulling requests may reject rows on the way
        return more || !rejected.isEmpty();
      }

      @Override
      public Row next() {
        if (!hasNext()) throw new NoSuchElementException();
        Row out = rejected.isEmpty() ? toRow(results.next()) : rejected.poll();
        metrics.rows.add(1);
        task.rows++;
        task.peakKvBytes = Math.max(task.peakKvBytes, scheduler.peakKvBytes());
        if (!out.isNullAt(6)) metrics.errors.add(1);
        return out;
      }

      private Row toRow(GenerationResult r) {
        String[] row = inFlight.remove(r.id());
        metrics.promptTokens.add(r.promptTokens().length);
        metrics.outputTokens.add(r.tokens().length);
        task.tokens += r.promptTokens().length + r.tokens().length;
        if (r.finishReason() == FinishReason.ERROR) return errorRow(row[0], row[1], r.error(), task.executorId);
        return RowFactory.create(row[0], row[1], r.text(), r.promptTokens().length, r.tokens().length,
            r.finishReason().label(), null, r.latencyNanos() / 1_000_000, task.executorId);
      }
    };
  }

  static Row errorRow(String id, String prompt, String error, String executorId) {
    return RowFactory.create(id, prompt, null, 0, 0, FinishReason.ERROR.label(), error, 0L, executorId);
  }
}
