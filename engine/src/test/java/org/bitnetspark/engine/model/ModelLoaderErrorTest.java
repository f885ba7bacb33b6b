package org.bitnetspark.engine.model;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.function.Function;
import org.bitnetspark.engine.error.ModelFormatException;
import org.bitnetspark.engine.error.UnsupportedModelException;
import org.bitnetspark.engine.gguf.GgmlType;
import org.bitnetspark.engine.gguf.GgufFile;
import org.bitnetspark.engine.gguf.GgufReader;
import org.bitnetspark.engine.gguf.GgufWriter;
import org.bitnetspark.engine.gguf.TensorInfo;
import org.bitnetspark.engine.io.ByteArrayModelSource;
import org.bitnetspark.engine.io.LocalModelSource;
import org.bitnetspark.engine.testing.TinyModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A valid file with one thing changed must fail with a message that names that thing. */
class ModelLoaderErrorTest {
  @TempDir
  static Path dir;

  /** Rewrites a synthetic model, letting {@code edit} rename, reshape, retype or drop tensors and keys. */
  private static byte[] rewrite(Function<String, String> renameTensor, String dropKey, String[] setArch) throws Exception {
    Path src = TinyModels.synth(dir, GgmlType.TQ2_0, 1);
    try (GgufFile in = GgufReader.read(new LocalModelSource(src))) {
      GgufWriter w = new GgufWriter();
      for (String key : in.metadata().asMap().keySet()) {
        if (key.equals(dropKey)) continue;
        if (setArch != null && key.equals("general.architecture")) w.putString(key, setArch[0]);
        else w.copy(in.metadata(), key);
      }
      for (TensorInfo t : in.tensors().values()) {
        String name = renameTensor.apply(t.name());
        if (name == null) continue;
        var data = in.data(t);
        w.tensor(name, t.type(), t.shape(), out -> {
          byte[] b = new byte[data.remaining()];
          data.duplicate().get(b);
          out.write(b);
        });
      }
      return TinyModels.toBytes(w);
    }
  }

  private static String loadError(byte[] bytes) {
    RuntimeException e = assertThrows(RuntimeException.class, () -> ModelLoader.load(new ByteArrayModelSource("m.gguf", bytes)));
    assertTrue(e instanceof ModelFormatException || e instanceof UnsupportedModelException, "unexpected " + e);
    return e.getMessage();
  }

  @Test
  void namesAMissingTensor() throws Exception {
    String m = loadError(rewrite(n -> n.equals("blk.2.ffn_up.weight") ? null : n, null, null));
    assertTrue(m.contains("tensor 'blk.2.ffn_up.weight' is missing"), m);
  }

  @Test
  void namesAMissingRequiredKey() throws Exception {
    String m = loadError(rewrite(n -> n, "bitnet.attention.layer_norm_rms_epsilon", null));
    assertTrue(m.contains("'bitnet.attention.layer_norm_rms_epsilon' is missing"), m);
  }

  @Test
  void namesAnUnknownArchitectureAndListsTheSupportedOnes() throws Exception {
    String m = loadError(rewrite(n -> n, null, new String[] {"mamba"}));
    assertTrue(m.contains("architecture 'mamba' is not supported") && m.contains("bitnet-b1.58") && m.contains("llama"), m);
  }

  @Test
  void namesAShapeMismatch() throws Exception {
    // swap q and k: attn_k is [256, 128] (4 kv heads of 32), attn_q [256, 256]
    String m = loadError(rewrite(n -> n.equals("blk.0.attn_q.weight") ? "blk.0.attn_k.weight"
        : n.equals("blk.0.attn_k.weight") ? "blk.0.attn_q.weight" : n, null, null));
    assertTrue(m.contains("blk.0.attn_") && m.contains("has shape") && m.contains("need"), m);
  }

  @Test
  void namesCorruptTernaryCodes() throws Exception {
    byte[] bytes = rewrite(n -> n, null, null);
    GgufFile f = GgufReader.read(new ByteArrayModelSource("m.gguf", bytes));
    TensorInfo t = f.tensor("blk.1.ffn_down.weight");
    bytes[(int) t.fileOffset() + 66 * 3] = (byte) 0xFF; // four code-3 pairs in row 0, block 3
    String m = loadError(bytes);
    assertTrue(m.contains("'blk.1.ffn_down.weight'") && m.contains("code 3"), m);
  }
}
