package org.bitnetspark.engine.tools;

import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.bitnetspark.engine.gguf.GgmlType;
import org.bitnetspark.engine.gguf.GgufFile;
import org.bitnetspark.engine.gguf.GgufReader;
import org.bitnetspark.engine.gguf.GgufWriter;
import org.bitnetspark.engine.gguf.TensorInfo;
import org.bitnetspark.engine.io.LocalModelSource;
import org.bitnetspark.engine.quant.Dequantize;
import org.bitnetspark.engine.quant.Quantize;

/**
 * Makes the bundled default model from {@code shared/models/tiny-shakespeare-bitnet-tq2_0.gguf}:
 * every tensor and metadata value copied unchanged, except the F16 token embedding, re-quantised to
 * Q8_0 (8.5 bits per weight instead of 16), and the file gzip-compressed. Run from the repository root:
 * <pre>
 * mvn -q -pl engine test-compile && java -cp engine/target/classes:engine/target/test-classes:$(ls ~/.m2/repository/org/slf4j/slf4j-api/2.0.17/*.jar) \
 *   org.bitnetspark.engine.tools.MakeDefaultModel ../shared/models/tiny-shakespeare-bitnet-tq2_0.gguf \
 *   engine/src/main/resources/org/bitnetspark/engine/models/tiny-shakespeare-bitnet-tq2_0-q8emb.gguf.gz
 * </pre>
 */
public final class MakeDefaultModel {
  public static void main(String[] args) throws Exception {
    try (GgufFile in = GgufReader.read(new LocalModelSource(Path.of(args[0])))) {
      GgufWriter w = new GgufWriter();
      for (String key : in.metadata().asMap().keySet()) w.copy(in.metadata(), key);
      for (TensorInfo t : in.tensors().values()) {
        ByteBuffer data = in.data(t);
        if (t.name().equals("token_embd.weight")) {
          int cols = (int) t.rowLength();
          int rows = (int) t.rows();
          w.tensor(t.name(), GgmlType.Q8_0, t.shape(), out -> {
            float[] row = new float[cols];
            ByteBuffer q = ByteBuffer.allocate(cols / 32 * 34).order(ByteOrder.LITTLE_ENDIAN);
            for (int r = 0; r < rows; r++) {
              Dequantize.row(t.type(), data, r, cols, row, 0);
              q.clear();
              for (int b = 0; b < cols / 32; b++) Quantize.q8_0(row, b * 32, q);
              out.write(q.array());
            }
          });
        } else {
          w.tensor(t.name(), t.type(), t.shape(), out -> {
            byte[] bytes = new byte[data.remaining()];
            data.duplicate().get(bytes);
            out.write(bytes);
          });
        }
      }
      Path out = Path.of(args[1]);
      Files.createDirectories(out.getParent());
      try (OutputStream gz = new GZIPOutputStream(Files.newOutputStream(out), 1 << 16)) {
        w.write(gz);
      }
      System.out.println("wrote " + out + ": " + Files.size(out) + " bytes");
    }
  }
}
