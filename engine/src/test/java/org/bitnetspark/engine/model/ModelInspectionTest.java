package org.bitnetspark.engine.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.bitnetspark.engine.gguf.GgufFile;
import org.bitnetspark.engine.gguf.GgufReader;
import org.bitnetspark.engine.io.ModelSources;
import org.junit.jupiter.api.Test;

/** Tensor facts of the bundled model, against figures computed by hand from the block layouts. */
class ModelInspectionTest {
  @Test
  void bundledModelTensors() throws Exception {
    try (GgufFile f = GgufReader.read(ModelSources.open("default"))) {
      Map<String, ModelInspection.Tensor> t = ModelInspection.tensors(f).stream()
          .collect(Collectors.toMap(ModelInspection.Tensor::name, Function.identity()));
      // ffn_down: 256 rows of 512; TQ2_0 = 66 bytes per 256 weights
      ModelInspection.Tensor down = t.get("blk.2.ffn_down.weight");
      assertEquals(2, down.layer());
      assertEquals("TQ2_0", down.type());
      assertEquals(131072, down.elements());
      assertEquals(131072 / 256 * 66, down.fileBytes());
      assertEquals(2.0625, down.bitsPerWeight(), 1e-12);
      assertTrue(down.ternary());
      // repacked: 2 bits per weight + one f32 scale per 256-weight block (512 blocks > 256 rows)
      assertEquals(131072 / 4 + 4 * 512, down.residentBytes());
      // the embedding: Q8_0 = 34 bytes per 32 weights, kept as stored
      ModelInspection.Tensor emb = t.get("token_embd.weight");
      assertEquals(-1, emb.layer());
      assertEquals(256L * 32000 / 32 * 34, emb.fileBytes());
      assertEquals(8.5, emb.bitsPerWeight(), 1e-12);
      assertFalse(emb.ternary());
      assertEquals(emb.fileBytes(), emb.residentBytes());
      // the estimate bounds what the loader really holds (it may keep one scale per row instead)
      long estimate = t.values().stream().mapToLong(ModelInspection.Tensor::residentBytes).sum();
      long loaded = ModelLoader.load("default").residentWeightBytes();
      assertTrue(loaded <= estimate && loaded > 0.97 * estimate, "loaded " + loaded + " vs estimate " + estimate);
      assertEquals("bitnet", ModelInspection.metadata(f).get("general.architecture"));
    }
  }
}
