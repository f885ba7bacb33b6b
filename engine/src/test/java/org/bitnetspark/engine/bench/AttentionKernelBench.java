package org.bitnetspark.engine.bench;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.bitnetspark.engine.kernel.FloatDot;
import org.bitnetspark.engine.kernel.Kernels;
import org.bitnetspark.engine.quant.Float16;
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
 * One attention row of one head alone, one thread, scalar vs Vector API ({@link FloatDot#vectorTimesMatrix}):
 * the query (head size 96, as in the 700M shape) against {@code positions} transposed keys, then the weights
 * against as many values; and the same straight from halves, as a decode batch reads an F16 KV cache
 * ({@link FloatDot#vectorTimesHalfMatrix}). Compare the kernels' scores from the same run.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector"})
public class AttentionKernelBench {
  private static final int HEAD = 96;

  @Param({"64", "512"})
  int positions;

  float[] query;
  float[] keys; // [HEAD][positions], transposed
  float[] values; // [positions][HEAD]
  short[] halfKeys;
  short[] halfValues;
  float[] scores;
  float[] out;
  FloatDot scalar;
  FloatDot vector;

  @Setup
  public void setup() {
    SplittableRandom r = new SplittableRandom(5);
    query = new float[HEAD];
    keys = new float[HEAD * positions];
    values = new float[positions * HEAD];
    scores = new float[positions];
    out = new float[HEAD];
    for (int i = 0; i < query.length; i++) query[i] = (float) r.nextGaussian();
    for (int i = 0; i < keys.length; i++) keys[i] = (float) r.nextGaussian();
    for (int i = 0; i < values.length; i++) values[i] = (float) r.nextGaussian();
    halfKeys = new short[keys.length];
    halfValues = new short[values.length];
    for (int i = 0; i < keys.length; i++) halfKeys[i] = Float16.fromFloat(keys[i]);
    for (int i = 0; i < values.length; i++) halfValues[i] = Float16.fromFloat(values[i]);
    for (int i = 0; i < query.length; i++) query[i] = Float16.round(query[i]); // what the F16 cache multiplies
    scalar = FloatDot.SCALAR;
    vector = Kernels.create(Kernels.Choice.VECTOR).floatDot();
  }

  private float[] row(FloatDot dot) {
    dot.vectorTimesMatrix(query, 0, HEAD, keys, 0, positions, positions, scores, 0);
    dot.vectorTimesMatrix(scores, 0, positions, values, 0, HEAD, HEAD, out, 0);
    return out;
  }

  @Benchmark
  public float[] scalarKernel() {
    return row(scalar);
  }

  @Benchmark
  public float[] vectorKernel() {
    return row(vector);
  }

  private float[] halfRow(FloatDot dot) {
    dot.vectorTimesHalfMatrix(query, 0, HEAD, halfKeys, 0, positions, positions, scores, 0);
    for (int t = 0; t < positions; t++) scores[t] = Float16.round(scores[t] / positions);
    dot.vectorTimesHalfMatrix(scores, 0, positions, halfValues, 0, HEAD, HEAD, out, 0);
    return out;
  }

  @Benchmark
  public float[] scalarHalfKernel() {
    return halfRow(scalar);
  }

  @Benchmark
  public float[] vectorHalfKernel() {
    return halfRow(vector);
  }
}
