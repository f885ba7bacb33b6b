package org.bitnetspark.engine.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.bitnetspark.engine.checkpoint.TinyCheckpoints;
import org.bitnetspark.engine.gguf.GgmlType;
import org.bitnetspark.engine.gguf.GgufFile;
import org.bitnetspark.engine.gguf.GgufReader;
import org.bitnetspark.engine.io.LocalModelSource;
import org.bitnetspark.engine.kernel.ActivationQuant;
import org.bitnetspark.engine.model.BitNetModel;
import org.bitnetspark.engine.model.ModelLoader;
import org.bitnetspark.engine.testing.Engines;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code convert}: checkpoint directory to GGUF, and the other commands taking a directory as --model. */
class ConvertCommandTest {
  @TempDir
  Path dir;

  @Test
  void convertsEachTypeAndTheResultRunsLikeTheCheckpoint() throws Exception {
    Path checkpoint = dir.resolve("ckpt");
    new TinyCheckpoints(TinyCheckpoints.Layout.PACKED_2B4T, 5).write(checkpoint);
    BitNetModel original = ModelLoader.load(checkpoint.toString());
    int[] tokens = original.tokenizer().encode("the house", true, false);
    float[] expected = Engines.allLogits(original, ActivationQuant.PER_TOKEN, tokens);
    for (String type : new String[] {"i2_s", "tq2_0", "tq1_0"}) {
      Path out = dir.resolve("m-" + type + ".gguf");
      BitNetCliTest.Run r = BitNetCliTest.cli("convert", "--model", checkpoint.toString(), "--out", out.toString(), "--type", type);
      assertEquals(0, r.exit(), r.err());
      assertTrue(r.out().contains("bitnet-b1.58"), r.out());
      try (GgufFile f = GgufReader.read(new LocalModelSource(out))) {
        assertEquals(GgmlType.valueOf(type.toUpperCase()), f.tensor("blk.0.attn_q.weight").type());
        assertEquals("{{ bos_token }}{% for m in messages %}{{ m.content }}{% endfor %}",
            f.metadata().getString("tokenizer.chat_template"), "the chat template is kept");
      }
      // scale 1/16 is exact in fp16 too, so all three types hold the same weights
      assertArrayEquals(expected, Engines.allLogits(ModelLoader.load(out), ActivationQuant.PER_TOKEN, tokens), 1e-4f, type);
    }
  }

  @Test
  void everyCommandTakesACheckpointDirectory() throws Exception {
    Path checkpoint = dir.resolve("ckpt");
    new TinyCheckpoints(TinyCheckpoints.Layout.LATENT_1BITLLM, 6).write(checkpoint);
    BitNetCliTest.Run info = BitNetCliTest.cli("info", "--model", checkpoint.toString());
    assertEquals(0, info.exit(), info.err());
    assertTrue(info.out().contains("I2_S") && info.out().contains("general.architecture") && info.out().contains("bitnet"), info.out());
    BitNetCliTest.Run gen = BitNetCliTest.cli("generate", "--model", checkpoint.toString(), "--prompt", "the", "--max-tokens", "4", "--json");
    assertEquals(0, gen.exit(), gen.err());
    BitNetCliTest.Run tok = BitNetCliTest.cli("tokenize", "--model", checkpoint.toString(), "--text", "the house", "--json");
    assertEquals(0, tok.exit(), tok.err());
  }

  @Test
  void badConversionsExplainThemselves() throws Exception {
    Path gguf = dir.resolve("x.gguf");
    Files.writeString(gguf, "not a directory");
    BitNetCliTest.Run notDir = BitNetCliTest.cli("convert", "--model", gguf.toString(), "--out", dir.resolve("y.gguf").toString());
    assertEquals(2, notDir.exit());
    assertTrue(notDir.err().contains("is not a directory"), notDir.err());
    BitNetCliTest.Run type = BitNetCliTest.cli("convert", "--model", dir.toString(), "--out", dir.resolve("y.gguf").toString(), "--type", "q4_0");
    assertEquals(2, type.exit());
    assertTrue(type.err().contains("not one of i2_s, tq2_0, tq1_0"), type.err());
  }
}
