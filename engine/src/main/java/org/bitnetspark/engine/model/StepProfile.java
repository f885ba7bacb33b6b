package org.bitnetspark.engine.model;

import java.util.EnumMap;
import java.util.Map;

/**
 * Where a forward step's time goes, summed over the steps a {@link ForwardPass} runs while the profile
 * is attached: the bench prints it so a figure like "decode reaches 0.4 of the bandwidth" comes with the
 * stages that spend the rest. Off (no clock reads) unless attached; one pass, one thread of control.
 */
public final class StepProfile {
  /** The stages of a step, in graph order. */
  public enum Stage {
    EMBED, NORMS, QKV, ATTENTION, OUTPUT_PROJECTION, FFN_GATE_UP, FFN_DOWN, HEAD, OTHER
  }

  private final long[] nanos = new long[Stage.values().length];
  private long mark;

  /** Starts timing the next stage. */
  void start() {
    mark = System.nanoTime();
  }

  /** Charges the time since the last mark to {@code stage} and marks again. */
  void charge(Stage stage) {
    long now = System.nanoTime();
    nanos[stage.ordinal()] += now - mark;
    mark = now;
  }

  public void reset() {
    java.util.Arrays.fill(nanos, 0);
  }

  public long totalNanos() {
    long t = 0;
    for (long n : nanos) t += n;
    return t;
  }

  /** Each stage's share of the profiled time, in graph order. */
  public Map<Stage, Double> fractions() {
    Map<Stage, Double> out = new EnumMap<>(Stage.class);
    double total = Math.max(1, totalNanos());
    for (Stage s : Stage.values()) out.put(s, nanos[s.ordinal()] / total);
    return out;
  }
}
