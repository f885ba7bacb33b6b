package org.bitnetspark.engine.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.bitnetspark.engine.gguf.GgmlType;
import org.bitnetspark.engine.io.ModelSources;
import org.bitnetspark.engine.synth.ModelShape;
import org.bitnetspark.engine.synth.SyntheticModel;

/** Models made by our own code, for tests that must not depend on ../shared. */
public final class TinyModels {
  private TinyModels() {}

  /** A synthetic tiny-shape model of the given type, written to {@code dir}. */
  public static Path synth(Path dir, GgmlType type, long seed) {
    try {
      Path p = dir.resolve("synth-" + type + "-" + seed + ".gguf");
      if (!Files.exists(p)) new SyntheticModel(ModelShape.TINY, type, seed).write(p);
      return p;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The bytes of the bundled default model (decompressed). */
  public static byte[] bundledBytes() {
    try (var source = ModelSources.bundled()) {
      var buf = source.slice(0, (int) source.size());
      byte[] b = new byte[buf.remaining()];
      buf.get(b);
      return b;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static byte[] toBytes(org.bitnetspark.engine.gguf.GgufWriter w) {
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      w.write(out);
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
