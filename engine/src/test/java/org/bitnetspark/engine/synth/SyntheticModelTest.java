package org.bitnetspark.engine.synth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import org.bitnetspark.engine.gguf.GgmlType;
import org.bitnetspark.engine.kernel.DenseLinear;
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

  /**
   * A Q8_0 embedding holds the same random values as the F16 one of the same seed, quantised: each value
   * within half its block's step (d/2, d = block max / 127) plus the stored scale's fp16 rounding (up to
   * 127 * d * 2^-11 at the largest q) of the F16 value, plus that value's own F16 rounding (values in
   * [-1, 1]: at most 2^-12).
   */
  @Test
  void q8EmbeddingQuantisesTheSameValues() throws Exception {
    Path f16 = dir.resolve("f16.gguf");
    Path q8 = dir.resolve("q8.gguf");
    new SyntheticModel(ModelShape.TINY, GgmlType.TQ2_0, GgmlType.F16, 4).write(f16);
    new SyntheticModel(ModelShape.TINY, GgmlType.TQ2_0, GgmlType.Q8_0, 4).write(q8);
    DenseLinear a = (DenseLinear) ModelLoader.load(f16).tokenEmbedding();
    DenseLinear b = (DenseLinear) ModelLoader.load(q8).tokenEmbedding();
    assertEquals(GgmlType.Q8_0, b.type());
    int dim = ModelShape.TINY.dim;
    float[] x = new float[dim];
    float[] y = new float[dim];
    for (int token : new int[] {0, 1, 777, ModelShape.TINY.vocabSize - 1}) {
      a.row(token, x, 0);
      b.row(token, y, 0);
      for (int blk = 0; blk < dim / 32; blk++) {
        float max = 0;
        for (int i = 0; i < 32; i++) max = Math.max(max, Math.abs(x[blk * 32 + i]));
        for (int i = blk * 32; i < blk * 32 + 32; i++) {
          assertEquals(x[i], y[i], max / 127 * (0.5 + 127 * 0x1p-11) * 1.01 + 0x1p-12, "token " + token + " value " + i);
        }
      }
    }
    assertEquals("embedding type 'q4_k' is not one of f16, q8_0",
        assertThrows(IllegalArgumentException.class, () -> SyntheticModel.parseEmbeddingType("q4_k")).getMessage());
  }
}
