package org.bitnetspark.engine.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.bitnetspark.engine.error.ModelFormatException;
import org.bitnetspark.engine.error.UnsupportedModelException;
import org.bitnetspark.engine.io.LocalModelSource;
import org.bitnetspark.engine.kernel.ActivationQuant;
import org.bitnetspark.engine.model.Architecture;
import org.bitnetspark.engine.model.BitNetModel;
import org.bitnetspark.engine.model.ModelLoader;
import org.bitnetspark.engine.testing.Engines;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

/**
 * Checkpoint directories against the GGUF of the same weights, each written by test code
 * ({@link TinyCheckpoints}); absmean and the packed layout on hand-computed matrices; bad files.
 */
class CheckpointTest {
  @TempDir
  Path dir;

  @ParameterizedTest
  @EnumSource(TinyCheckpoints.Layout.class)
  void checkpointGivesTheLogitsOfTheSameWeightsAsGguf(TinyCheckpoints.Layout layout) throws Exception {
    TinyCheckpoints tiny = new TinyCheckpoints(layout, 11);
    Path checkpoint = dir.resolve(layout.name().toLowerCase());
    Path gguf = tiny.write(checkpoint);
    BitNetModel fromCheckpoint = ModelLoader.load(checkpoint.toString());
    BitNetModel fromGguf = ModelLoader.load(gguf);
    assertEquals(fromGguf.config(), fromCheckpoint.config());
    int[] tokens = fromCheckpoint.tokenizer().encode("the south house is in there", true, false);
    assertArrayEquals(fromGguf.tokenizer().encode("the south house is in there", true, false), tokens);
    assertEquals(TinyCheckpoints.vocabSize() - 2, tokens[0], "BOS from tokenizer_config.json");
    for (ActivationQuant aq : List.of(ActivationQuant.NONE, ActivationQuant.PER_TOKEN)) {
      float[] a = Engines.allLogits(fromCheckpoint, aq, tokens);
      float[] b = Engines.allLogits(fromGguf, aq, tokens);
      // the same ternary values, scales and embedding reach the same kernels (I2_S and fused-scale F32 both
      // repack to one layout); what may differ is the float rounding of the scale (absmean in float in the
      // loader, in double here: 1 ulp) and summation order: ~1e-7 relative on logits of up to ~20, so 1e-4
      assertArrayEquals(b, a, 1e-4f, layout + " " + aq);
    }
  }

  @Test
  void llamaLayoutNeedsNoSubNormsAndPermutesQk() throws Exception {
    TinyCheckpoints tiny = new TinyCheckpoints(TinyCheckpoints.Layout.PACKED_LLAMA, 3);
    Path checkpoint = dir.resolve("llama");
    tiny.write(checkpoint);
    BitNetModel m = ModelLoader.load(checkpoint.toString());
    assertEquals(Architecture.LLAMA, m.config().architecture());
    assertEquals(null, m.layers().get(0).attnSubNorm());
    assertTrue(m.output() != m.tokenEmbedding(), "an untied lm_head");
  }

  @Test
  void absmeanOnAHandComputedMatrix() {
    // mean|W| = (0.2 + 0.5 + 0.05 + 0.25 + 0 + 0.6 + 0.1 + 0.3) / 8 = 2.0 / 8 = 0.25, s = 4
    // W*s = 0.8 -2.0 0.2 1.0 / 0 2.4 -0.4 -1.2 -> round 1 -2 0 1 / 0 2 0 -1 -> clamp 1 -1 0 1 / 0 1 0 -1
    float[] w = {0.2f, -0.5f, 0.05f, 0.25f, 0f, 0.6f, -0.1f, -0.3f};
    TernaryWeights t = TernaryWeights.absmean(w, 2, 4);
    assertArrayEquals(new byte[] {2, 0, 1, 2, 1, 2, 1, 0}, t.codes());
    assertEquals(0.25f, t.scale());
    // round half to even, as torch.round: mean = 0.5 -> s = 2; 0.25*2 = 0.5 -> 0, 0.75*2 = 1.5 -> 2 -> 1
    TernaryWeights half = TernaryWeights.absmean(new float[] {0.25f, 0.75f, -0.25f, -0.75f}, 1, 4);
    assertArrayEquals(new byte[] {1, 2, 1, 0}, half.codes());
    // an all-zero matrix: the 1e-5 floor keeps the scale finite
    assertEquals(1e-5f, TernaryWeights.absmean(new float[4], 1, 4).scale(), 1e-12f);
  }

  @Test
  void packedLayoutOnAHandComputedMatrix() {
    // 4 rows x 2 columns packed into 1 x 2 bytes: row k sits at bits 2k..2k+1
    // column 0: rows (+1, 0, -1, +1) -> codes (2, 1, 0, 2) -> 2 | 1<<2 | 0<<4 | 2<<6 = 0b10_00_01_10 = 0x86
    // column 1: rows (0, 0, 0, -1)   -> codes (1, 1, 1, 0) -> 1 | 1<<2 | 1<<4 | 0<<6 = 0x15
    ByteBuffer packed = ByteBuffer.wrap(new byte[] {(byte) 0x86, 0x15});
    TernaryWeights t = TernaryWeights.hfPacked("w", packed, 4, 2, 2f);
    assertArrayEquals(new byte[] {2, 1, 1, 1, 0, 1, 2, 0}, t.codes());
    assertEquals(0.5f, t.scale(), "weight = (code - 1) / weight_scale");
    assertThrows(ModelFormatException.class, () -> TernaryWeights.hfPacked("w", ByteBuffer.wrap(new byte[] {3, 0}), 4, 2, 1f),
        "code 3 is not ternary");
  }

  @Test
  void badSafetensorsFilesAreNamed() throws Exception {
    Path ok = dir.resolve("ok.safetensors");
    TinyCheckpoints.writeSafetensors(ok, Map.of("w", TinyCheckpoints.Tensor.f32(new float[] {1, 2, 3, 4}, 2, 2)));
    assertEquals(4, SafetensorsFile.read(new LocalModelSource(ok)).tensors().get("w").elements());
    byte[] bytes = Files.readAllBytes(ok);

    Path truncated = dir.resolve("truncated.safetensors");
    Files.write(truncated, java.util.Arrays.copyOf(bytes, bytes.length - 3));
    assertTrue(assertThrows(ModelFormatException.class, () -> SafetensorsFile.read(new LocalModelSource(truncated)))
        .getMessage().contains("outside the"));

    Path header = dir.resolve("header.safetensors");
    byte[] h = bytes.clone();
    ByteBuffer.wrap(h).order(ByteOrder.LITTLE_ENDIAN).putLong(0, 1L << 40);
    Files.write(header, h);
    assertTrue(assertThrows(ModelFormatException.class, () -> SafetensorsFile.read(new LocalModelSource(header)))
        .getMessage().contains("header length"));

    Path dtype = dir.resolve("dtype.safetensors");
    TinyCheckpoints.writeSafetensors(dtype, Map.of("w", new TinyCheckpoints.Tensor("F64", new long[] {1}, new byte[8])));
    assertTrue(assertThrows(UnsupportedModelException.class, () -> SafetensorsFile.read(new LocalModelSource(dtype)))
        .getMessage().contains("dtype F64"));

    Path shape = dir.resolve("shape.safetensors");
    TinyCheckpoints.writeSafetensors(shape, Map.of("w", new TinyCheckpoints.Tensor("F32", new long[] {3}, new byte[8])));
    assertTrue(assertThrows(ModelFormatException.class, () -> SafetensorsFile.read(new LocalModelSource(shape)))
        .getMessage().contains("needs 12"));
  }

  @Test
  void aDirectoryWithoutConfigOrWeightsIsNamed() throws Exception {
    Path empty = Files.createDirectories(dir.resolve("empty"));
    assertTrue(assertThrows(ModelFormatException.class, () -> ModelLoader.load(empty.toString())).getMessage()
        .contains("without config.json"));
    Path noWeights = Files.createDirectories(dir.resolve("noweights"));
    Files.writeString(noWeights.resolve("config.json"), "{\"architectures\": [\"BitNetForCausalLM\"]}");
    assertTrue(assertThrows(ModelFormatException.class, () -> ModelLoader.load(noWeights.toString())).getMessage()
        .contains("has no model.safetensors"));
    Files.writeString(noWeights.resolve("config.json"), "{\"architectures\": [\"GPT2LMHeadModel\"]}");
    assertTrue(assertThrows(UnsupportedModelException.class, () -> ModelLoader.load(noWeights.toString())).getMessage()
        .contains("GPT2LMHeadModel"));
  }
}
