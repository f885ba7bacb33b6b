package org.bitnetspark.engine.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The machine's read bandwidth: {@code threads} threads each summing its own slice of a buffer far
 * larger than the caches, best of several passes. The sum of longs vectorises in the JIT (integer
 * addition is associative), so the loop is limited by memory, not by the core.
 */
public final class Bandwidth {
  static final int BUFFER_BYTES = 256 << 20;
  private static volatile long sink;

  private Bandwidth() {}

  /** Bytes per second. */
  public static double measure(int threads) {
    long[] buffer = new long[BUFFER_BYTES / 8];
    for (int i = 0; i < buffer.length; i += 512) buffer[i] = i; // touch every page
    // compile the loop before timing it: a first pass that runs interpreted or on-stack-replaced code
    // measures the JIT, not the memory
    long[] small = new long[1 << 14];
    long warm = 0;
    for (int i = 0; i < 20_000; i++) warm += sum(small, 0, small.length);
    sink = warm;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      double best = 0;
      for (int pass = 0; pass < 6; pass++) {
        List<Future<Long>> parts = new ArrayList<>();
        long start = System.nanoTime();
        for (int t = 0; t < threads; t++) {
          int from = (int) ((long) buffer.length * t / threads);
          int to = (int) ((long) buffer.length * (t + 1) / threads);
          parts.add(pool.submit(() -> sum(buffer, from, to)));
        }
        long total = 0;
        for (Future<Long> f : parts) total += f.get();
        double seconds = (System.nanoTime() - start) / 1e9;
        sink = total;
        best = Math.max(best, BUFFER_BYTES / seconds);
      }
      return best;
    } catch (Exception e) {
      throw new IllegalStateException("bandwidth measurement failed", e);
    } finally {
      pool.shutdown();
    }
  }

  private static long sum(long[] a, int from, int to) {
    long s = 0;
    for (int i = from; i < to; i++) s += a[i];
    return s;
  }
}
