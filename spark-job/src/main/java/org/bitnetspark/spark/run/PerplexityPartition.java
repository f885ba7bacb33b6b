package org.bitnetspark.spark.run;

import java.util.Iterator;
import java.util.NoSuchElementException;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.bitnetspark.engine.eval.PerplexityResult;
import org.bitnetspark.engine.eval.PerplexityScorer;
import org.bitnetspark.spark.jobs.JobSettings;
import org.bitnetspark.spark.metrics.JobMetrics;

/**
 * Perplexity of each row's text ({@link org.bitnetspark.spark.jobs.OutputSchemas#PERPLEXITY}):
 * {@code sliding} windows by default, so documents of any length are scored, every token after the
 * first once; or llama-perplexity's {@code chunks}. One output row per input row, errors included.
 */
public final class PerplexityPartition implements MapPartitionsFunction<Row, Row>, PartitionWork {
  private static final long serialVersionUID = 1L;
  private final JobSettings settings;
  private final JobMetrics metrics;

  public PerplexityPartition(JobSettings settings, JobMetrics metrics) {
    this.settings = settings;
    this.metrics = metrics;
  }

  @Override
  public Iterator<Row> call(Iterator<Row> input) {
    return run(input, new TaskRuntime(settings, metrics));
  }

  @Override
  public Iterator<Row> run(Iterator<Row> input, TaskRuntime task) {
    PerplexityScorer scorer = task.engine.newPerplexityScorer();
    PerplexityScorer.Method method = PerplexityScorer.Method.parse(settings.perplexityMethod());
    return new Iterator<>() {
      @Override
      public boolean hasNext() {
        return input.hasNext();
      }

      @Override
      public Row next() {
        if (!hasNext()) throw new NoSuchElementException();
        Row row = input.next();
        String id = row.isNullAt(0) ? null : String.valueOf(row.get(0));
        String text = row.isNullAt(1) ? null : row.getString(1);
        long start = System.nanoTime();
        Row out;
        try {
          if (text == null || text.isEmpty()) throw new IllegalArgumentException("the text is empty");
          int[] tokens = task.engine.model().tokenizer().encode(text, true, false);
          PerplexityResult r = scorer.score(tokens, method, settings.perplexityContext(), settings.perplexityStride(), null);
          metrics.promptTokens.add(tokens.length);
          metrics.outputTokens.add(r.tokensScored());
          task.tokens += tokens.length;
          out = RowFactory.create(id, r.tokensScored(), r.nllSum(), r.perplexity(), null,
              (System.nanoTime() - start) / 1_000_000, task.executorId);
        } catch (IllegalArgumentException e) {
          metrics.errors.add(1);
          out = RowFactory.create(id, 0L, 0.0, null, e.getMessage(), (System.nanoTime() - start) / 1_000_000,
              task.executorId);
        }
        metrics.rows.add(1);
        task.rows++;
        return out;
      }
    };
  }
}
