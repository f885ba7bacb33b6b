package org.bitnetspark.engine.parallel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.bitnetspark.engine.model.Architecture;
import org.bitnetspark.engine.model.ModelConfig;
import org.junit.jupiter.api.Test;

class ParallelismTest {
  @Test
  void parsesTheThreeModes() {
    assertEquals(Parallelism.DATA, Parallelism.parse("data"));
    Parallelism p = Parallelism.parse("Pipeline:3");
    assertEquals(Parallelism.Mode.PIPELINE, p.mode());
    assertEquals(3, p.degree());
    assertEquals(6, p.microBatches());
    assertEquals(2, p.controllerRank(), "the last stage has the logits");
    Parallelism t = Parallelism.parse("tensor:4");
    assertEquals(0, t.controllerRank());
    assertEquals("tensor:4", t.toString());
  }

  @Test
  void badSpecsNameTheProblem() {
    for (String bad : new String[] {"", "model", "pipeline", "pipeline:1", "tensor:0", "tensor:x", "tensor:999"}) {
      Exception e = assertThrows(IllegalArgumentException.class, () -> Parallelism.parse(bad), bad);
      assertTrue(e.getMessage().contains("parallelism"), e.getMessage());
    }
  }

  /** The minimum traffic, worked by hand for dim 256, ffn 768, 2 layers, vocab 1000. */
  @Test
  void minimumBytesPerScheme() {
    ModelConfig c = new ModelConfig(Architecture.BITNET, 256, 768, 2, 4, 4, 1000, 128, 1e-5f, 10000f);
    // pipeline:2: one boundary, 256 floats a token
    assertEquals(10 * 256 * 4L, Parallelism.parse("pipeline:2").minimumBytes(c, 10, 3));
    // tensor:2: per token (2-1) * 4 bytes * (256 embedding + 2 layers * (3*256 + 768)); logits: 3 rows * 1000 * 4 / 2
    assertEquals(10 * 4L * (256 + 2 * (768 + 768)) + 3 * 1000 * 4L / 2, Parallelism.parse("tensor:2").minimumBytes(c, 10, 3));
  }
}
