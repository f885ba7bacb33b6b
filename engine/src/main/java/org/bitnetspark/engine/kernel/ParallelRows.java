package org.bitnetspark.engine.kernel;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.ArrayList;
import java.util.List;

/**
 * The one place work is split across threads. Matrix rows are independent, so threads split rows;
 * splitting columns would need a reduction. One instance per engine; {@code threads = 1} runs on
 * the caller's thread with no pool at all.
 */
public final class ParallelRows implements AutoCloseable {
  /** Work on rows [start, end). */
  @FunctionalInterface
  public interface RowTask {
    void run(int start, int end);
  }

  private final int threads;
  private final ForkJoinPool pool;

  public ParallelRows(int threads) {
    if (threads < 1) throw new IllegalArgumentException("threads must be at least 1, got " + threads);
    this.threads = threads;
    this.pool = threads == 1 ? null : new ForkJoinPool(threads);
  }

  public int threads() {
    return threads;
  }

  /** Runs {@code task} over [0, rows) in up to {@code threads} contiguous chunks and waits. */
  public void forRows(int rows, RowTask task) {
    // small matrices are not worth a hand-off
    if (pool == null || rows < 64) {
      task.run(0, rows);
      return;
    }
    int chunks = Math.min(threads, rows);
    List<ForkJoinTask<?>> running = new ArrayList<>(chunks);
    for (int c = 1; c < chunks; c++) {
      int start = (int) ((long) rows * c / chunks);
      int end = (int) ((long) rows * (c + 1) / chunks);
      running.add(pool.submit(() -> task.run(start, end)));
    }
    task.run(0, rows / chunks);
    for (ForkJoinTask<?> t : running) t.join();
  }

  @Override
  public void close() {
    if (pool != null) pool.shutdown();
  }
}
