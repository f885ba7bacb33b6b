package org.bitnetspark.engine.io;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.bitnetspark.engine.gguf.GgufFile;
import org.bitnetspark.engine.gguf.GgufReader;
import org.bitnetspark.engine.gguf.TensorInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A GGUF file of 3 GiB whose second tensor lies past the 2 GiB mark (a sparse file: the gap costs
 * no disk). Offsets and sizes must be handled as longs, and the mapped slice must start there.
 */
class LargeFileTest {
  @TempDir
  Path dir;

  @Test
  void readsATensorBeyondTwoGibibytes() throws Exception {
    long far = 3L << 30; // offset of the second tensor, relative to the data section
    ByteBuffer h = ByteBuffer.allocate(256).order(ByteOrder.LITTLE_ENDIAN);
    h.putInt(0x46554747).putInt(3).putLong(2).putLong(0);
    tensor(h, "near", 0);
    tensor(h, "far", far);
    int dataStart = (h.position() + 31) / 32 * 32;
    Path file = dir.resolve("large.gguf");
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      raf.write(h.array(), 0, h.position());
      raf.seek(dataStart);
      raf.write(floats(1f, 2f, 3f, 4f));
      raf.seek(dataStart + far);
      raf.write(floats(5f, 6f, 7f, 8f));
    }
    try (GgufFile f = GgufReader.read(new LocalModelSource(file))) {
      TensorInfo t = f.tensor("far");
      assertEquals(dataStart + far, t.fileOffset());
      ByteBuffer data = f.data(t);
      assertEquals(5f, data.getFloat(0));
      assertEquals(8f, data.getFloat(12));
      assertEquals(2f, f.data(f.tensor("near")).getFloat(4));
    }
  }

  private static void tensor(ByteBuffer h, String name, long offset) {
    byte[] n = name.getBytes(StandardCharsets.UTF_8);
    h.putLong(n.length).put(n).putInt(1).putLong(4).putInt(0).putLong(offset); // 1-D F32 of 4
  }

  private static byte[] floats(float... v) {
    ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (float x : v) b.putFloat(x);
    return b.array();
  }
}
