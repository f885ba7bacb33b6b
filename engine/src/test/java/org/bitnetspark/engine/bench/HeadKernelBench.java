package org.bitnetspark.engine.bench;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.bitnetspark.engine.kernel.FloatDot;
import org.bitnetspark.engine.kernel.Kernels;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A batch's output head alone, one thread: 256 decoded rows of 1536 floats (the 700M shape's width) against 16
 * vectors, by the vector kernel's tiles ({@link FloatDot#dot2Rows}), by its {@code dot} one vector at a time, and
 * by the scalar reference. Every method computes the same 4096 dot products; divide rows x 16 x 1536 / 8 by the
 * time for nanoseconds per 256-bit multiply-add, and compare the methods' scores from the same run.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector"})
public class HeadKernelBench {
  private static final int ROWS = 256;
  private static final int COLS = 1536;
  private static final int VECTORS = 16;

  float[] rows;
  float[] vectors;
  float[] out;
  FloatDot vector;

  @Setup
  public void setup() {
    SplittableRandom r = new SplittableRandom(11);
    rows = new float[ROWS * COLS];
    vectors = new float[VECTORS * COLS];
    for (int i = 0; i < rows.length; i++) rows[i] = (float) r.nextGaussian();
    for (int i = 0; i < vectors.length; i++) vectors[i] = (float) r.nextGaussian();
    out = new float[VECTORS * ROWS];
    vector = Kernels.create(Kernels.Choice.VECTOR).floatDot();
  }

  @Benchmark
  public float[] vectorTiles() {
    for (int row = 0; row < ROWS; row += 2) vector.dot2Rows(rows, row * COLS, COLS, vectors, 0, COLS, VECTORS, COLS, out, row, ROWS);
    return out;
  }

  @Benchmark
  public float[] vectorOneVectorAtATime() {
    for (int row = 0; row < ROWS; row++) {
      for (int v = 0; v < VECTORS; v++) out[v * ROWS + row] = vector.dot(rows, row * COLS, vectors, v * COLS, COLS);
    }
    return out;
  }

  @Benchmark
  public float[] scalar() {
    for (int row = 0; row < ROWS; row += 2) FloatDot.SCALAR.dot2Rows(rows, row * COLS, COLS, vectors, 0, COLS, VECTORS, COLS, out, row, ROWS);
    return out;
  }
}
