package org.bitnetspark.engine.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import org.bitnetspark.engine.gguf.GgmlType;
import org.bitnetspark.engine.kernel.ActivationQuant;
import org.bitnetspark.engine.testing.Engines;
import org.bitnetspark.engine.testing.TinyModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StepProfileTest {
  @TempDir
  Path dir;

  /**
   * Attached, the profile charges every stage a step runs and its shares sum to one; it changes no
   * result; detached, it is not charged.
   */
  @Test
  void chargesEveryStageOfAStepAndChangesNothing() {
    BitNetModel m = ModelLoader.load(TinyModels.synth(dir, GgmlType.TQ2_0, 3));
    ForwardPass plain = Engines.forward(m, ActivationQuant.PER_TOKEN);
    ForwardPass timed = Engines.forward(m, ActivationQuant.PER_TOKEN);
    StepProfile profile = new StepProfile();
    timed.profile(profile);
    float[] want = step(plain, m);
    float[] got = step(timed, m);
    assertArrayEquals(want, got, 0f);
    Map<StepProfile.Stage, Double> shares = profile.fractions();
    double sum = 0;
    for (StepProfile.Stage s : StepProfile.Stage.values()) {
      sum += shares.get(s);
      if (s != StepProfile.Stage.OTHER) assertTrue(shares.get(s) > 0, s + " was charged: " + shares);
    }
    assertEquals(1.0, sum, 1e-9);
    long total = profile.totalNanos();
    timed.profile(null);
    step(timed, m);
    assertEquals(total, profile.totalNanos(), "detached: not charged");
    profile.reset();
    assertEquals(0, profile.totalNanos());
  }

  private static float[] step(ForwardPass f, BitNetModel m) {
    KvCache cache = f.newCache(KvCache.Type.F16, 8);
    Batch b = new Batch();
    for (int p = 0; p < 4; p++) b.add(10 + p, p, cache, p == 3);
    return f.forward(b);
  }
}
