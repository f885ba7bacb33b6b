package org.bitnetspark.engine.synth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import org.bitnetspark.engine.gguf.GgmlType;
import org.bitnetspark.engine.kernel.ActivationQuant;
import org.bitnetspark.engine.model.BitNetModel;
import org.bitnetspark.engine.model.ModelLoader;
import org.bitnetspark.engine.testing.Engines;
import org.bitnetspark.engine.testing.TinyModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SyntheticModelTest {
  @TempDir
  Path dir;

  /**
   * The same seed gives the same ternary codes and scale in every format, so the four files (three
   * packed layouts decoded by different code, and F32) must give the same logits: exactly the same
   * weights, and per-token activations do not depend on the layout. 1e-4: the per-256 TQ scales and
   * the per-tensor scale multiply in a different order.
   */
  @Test
  void everyWeightTypeOfTheSameSeedGivesTheSameLogits() {
    int[] tokens = {1, 300, 301, 302, 50};
    float[] reference = null;
    for (GgmlType type : new GgmlType[] {GgmlType.F32, GgmlType.TQ2_0, GgmlType.TQ1_0, GgmlType.I2_S}) {
      BitNetModel m = ModelLoader.load(TinyModels.synth(dir, type, 5));
      float[] logits = Engines.allLogits(m, ActivationQuant.PER_TOKEN, tokens);
      if (reference == null) reference = logits;
      else assertArrayEquals(reference, logits, 1e-4f, type + " vs F32");
    }
  }

  @Test
  void isDeterministic() throws Exception {
    Path a = dir.resolve("a.gguf");
    Path b = dir.resolve("b.gguf");
    new SyntheticModel(ModelShape.TINY, GgmlType.TQ2_0, 9).write(a);
    new SyntheticModel(ModelShape.TINY, GgmlType.TQ2_0, 9).write(b);
    assertEquals(-1L, Files.mismatch(a, b));
  }

  @Test
  void refusesShapesThatDoNotFitTheBlocks() {
    String m = assertThrows(IllegalArgumentException.class,
        () -> new SyntheticModel(ModelShape.SHAPE_3B, GgmlType.TQ2_0, 1)).getMessage();
    assertEquals(true, m.contains("3200") && m.contains("i2_s"), m);
  }
}
