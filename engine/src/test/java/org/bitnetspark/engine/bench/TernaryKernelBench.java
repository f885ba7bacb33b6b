package org.bitnetspark.engine.bench;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.bitnetspark.engine.gguf.GgmlType;
import org.bitnetspark.engine.kernel.ActivationQuant;
import org.bitnetspark.engine.kernel.Kernels;
import org.bitnetspark.engine.kernel.QuantizedActivations;
import org.bitnetspark.engine.kernel.ScalarTernaryKernel;
import org.bitnetspark.engine.kernel.TernaryKernel;
import org.bitnetspark.engine.tensor.TernaryMatrix;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The ternary matmul alone, one thread: a 1536x4096 matrix (the 700M shape's FFN up projection, 1.5 MiB
 * packed) times a batch of int8 activation vectors, scalar vs Vector API. Compare the two kernels' scores
 * from the same run; divide bytes (rows x cols / 4) by the time for the kernel's effective bandwidth.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector"})
public class TernaryKernelBench {
  @Param({"1", "4", "16"})
  int batch;

  TernaryMatrix matrix;
  QuantizedActivations activations;
  float[] out;
  TernaryKernel scalar;
  TernaryKernel vector;

  @Setup
  public void setup() {
    int rows = 4096;
    int cols = 1536;
    SplittableRandom r = new SplittableRandom(1);
    byte[] natural = new byte[cols];
    byte[] packed = new byte[rows * cols / 4];
    for (int i = 0; i < rows; i++) {
      for (int k = 0; k < cols; k++) natural[k] = (byte) r.nextInt(3);
      TernaryMatrix.packRow(natural, 0, cols, packed, i * cols / 4);
    }
    // one scale per row, as the loader packs TQ files whose block scales repeat (all real ones)
    float[] scales = new float[rows];
    java.util.Arrays.fill(scales, 0.5f);
    matrix = new TernaryMatrix("bench", GgmlType.TQ2_0, rows, cols, packed, scales, cols, 1f);
    float[] x = new float[batch * cols];
    for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
    activations = new QuantizedActivations();
    activations.quantize(ActivationQuant.PER_TOKEN, x, batch, cols);
    out = new float[batch * rows];
    scalar = new ScalarTernaryKernel();
    vector = Kernels.create(Kernels.Choice.VECTOR).ternary();
  }

  @Benchmark
  public float[] scalarKernel() {
    scalar.matmul(matrix, activations, out, 0, matrix.rows());
    return out;
  }

  @Benchmark
  public float[] vectorKernel() {
    vector.matmul(matrix, activations, out, 0, matrix.rows());
    return out;
  }
}
