package org.bitnetspark.engine.gguf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.bitnetspark.engine.error.ModelFormatException;
import org.bitnetspark.engine.error.UnsupportedModelException;
import org.bitnetspark.engine.io.ByteArrayModelSource;
import org.bitnetspark.engine.testing.TinyModels;
import org.junit.jupiter.api.Test;

class GgufReaderTest {

  private static GgufFile read(byte[] bytes) {
    return GgufReader.read(new ByteArrayModelSource("test.gguf", bytes));
  }

  /** A file with one value of every metadata type, written field by field (independent of GgufWriter). */
  @Test
  void readsEveryMetadataTypeOfAHandWrittenFile() {
    ByteBuffer b = ByteBuffer.allocate(1024).order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(0x46554747).putInt(2).putLong(1).putLong(13); // magic, version 2, 1 tensor, 13 kvs
    kv(b, "u8", 0).put((byte) 200);
    kv(b, "i8", 1).put((byte) -5);
    kv(b, "u16", 2).putShort((short) 60000);
    kv(b, "i16", 3).putShort((short) -300);
    kv(b, "u32", 4).putInt(-1); // 4294967295
    kv(b, "i32", 5).putInt(-7);
    kv(b, "f32", 6).putFloat(1.5f);
    kv(b, "bool", 7).put((byte) 1);
    str(kv(b, "str", 8), "héllo");
    kv(b, "arr", 9).putInt(8).putLong(2);
    str(b, "a");
    str(b, "bc");
    kv(b, "u64", 10).putLong(1L << 40);
    kv(b, "i64", 11).putLong(-(1L << 40));
    kv(b, "f64", 12).putDouble(0.25);
    str(b, "t");
    b.putInt(2).putLong(4).putLong(2).putInt(0).putLong(0); // 2-D F32 [4, 2] at offset 0
    int headerEnd = b.position();
    int dataStart = (headerEnd + 31) / 32 * 32;
    b.position(dataStart);
    for (int i = 0; i < 8; i++) b.putFloat(i);
    GgufFile f = read(Arrays.copyOf(b.array(), b.position()));
    GgufMetadata m = f.metadata();
    assertEquals(2, f.version());
    assertEquals(200, m.getLong("u8"));
    assertEquals(-5, m.getLong("i8"));
    assertEquals(60000, m.getLong("u16"));
    assertEquals(-300, m.getLong("i16"));
    assertEquals(4294967295L, m.getLong("u32"));
    assertEquals(-7, m.getInt("i32"));
    assertEquals(1.5f, m.getFloat("f32"));
    assertTrue(m.getBoolean("bool", false));
    assertEquals("héllo", m.getString("str"));
    assertArrayEquals(new String[] {"a", "bc"}, m.getStringArray("arr"));
    assertEquals(1L << 40, m.getLong("u64"));
    assertEquals(-(1L << 40), m.getLong("i64"));
    assertEquals(0.25f, m.getFloat("f64"));
    TensorInfo t = f.tensor("t");
    assertEquals(GgmlType.F32, t.type());
    assertEquals(dataStart, t.fileOffset());
    assertEquals(2, t.rows());
    assertEquals(7f, f.data(t).getFloat(28));
    ModelFormatException e = assertThrows(ModelFormatException.class, () -> m.getString("u32"));
    assertTrue(e.getMessage().contains("'u32' should be a string"), e.getMessage());
    e = assertThrows(ModelFormatException.class, () -> m.getInt("missing.key"));
    assertTrue(e.getMessage().contains("'missing.key' is missing"), e.getMessage());
  }

  private static ByteBuffer kv(ByteBuffer b, String key, int type) {
    return str(b, key).putInt(type);
  }

  private static ByteBuffer str(ByteBuffer b, String s) {
    byte[] bytes = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    return b.putLong(bytes.length).put(bytes);
  }

  private static byte[] smallFile() {
    return TinyModels.toBytes(new GgufWriter().putString("general.architecture", "bitnet")
        .f32("a", new long[] {8}, new float[8]).f32("b", new long[] {4, 2}, new float[8]));
  }

  private static String failure(byte[] bytes) {
    return assertThrows(RuntimeException.class, () -> read(bytes)).getMessage();
  }

  @Test
  void namesTheProblemInEveryMalformedHeader() {
    byte[] ok = smallFile();
    read(ok); // sanity: the original is valid

    byte[] magic = ok.clone();
    magic[0] = 'X';
    assertTrue(failure(magic).contains("not a GGUF file"));

    byte[] v1 = ok.clone();
    v1[4] = 1;
    String m = assertThrows(UnsupportedModelException.class, () -> read(v1)).getMessage();
    assertTrue(m.contains("GGUF version 1 is not supported"), m);

    assertTrue(failure(Arrays.copyOf(ok, 10)).contains("less than a GGUF header"));

    byte[] hugeCount = ok.clone();
    ByteBuffer.wrap(hugeCount).order(ByteOrder.LITTLE_ENDIAN).putLong(16, Long.MAX_VALUE / 2); // kv_count
    assertTrue(failure(hugeCount).contains("kv_count"), failure(hugeCount));

    // the first key's length claims more bytes than the file has
    byte[] longString = ok.clone();
    ByteBuffer.wrap(longString).order(ByteOrder.LITTLE_ENDIAN).putLong(24, 1L << 40);
    assertTrue(failure(longString).contains("truncated or corrupt"), failure(longString));

    // the tensor data is cut off
    String truncated = failure(Arrays.copyOf(ok, ok.length - 4));
    assertTrue(truncated.contains("tensor 'b' data ends at byte") && truncated.contains("truncated copy"), truncated);
  }

  @Test
  void rejectsUnknownTensorTypesAndBadShapes() {
    byte[] ok = smallFile();
    int typeAt = indexOfTensorType(ok, "b", 2);
    byte[] unknownType = ok.clone();
    ByteBuffer.wrap(unknownType).order(ByteOrder.LITTLE_ENDIAN).putInt(typeAt, 99);
    String m = assertThrows(UnsupportedModelException.class, () -> read(unknownType)).getMessage();
    assertTrue(m.contains("tensor 'b' has ggml type id 99") && m.contains("Supported types: F32"), m);

    byte[] tq = ok.clone();
    ByteBuffer.wrap(tq).order(ByteOrder.LITTLE_ENDIAN).putInt(typeAt, GgmlType.TQ2_0.id);
    m = failure(tq);
    assertTrue(m.contains("row length 4, not a multiple of its block size 256"), m);

    byte[] dims = ok.clone();
    ByteBuffer.wrap(dims).order(ByteOrder.LITTLE_ENDIAN).putInt(typeAt - 4 - 16, 9); // n_dims of 'b'
    assertTrue(failure(dims).contains("n_dims 9"), failure(dims));

    byte[] misaligned = ok.clone();
    ByteBuffer.wrap(misaligned).order(ByteOrder.LITTLE_ENDIAN).putLong(typeAt + 4, 33);
    assertTrue(failure(misaligned).contains("not a multiple of the alignment"), failure(misaligned));
  }

  /** Offset of the u32 type of tensor {@code name} with {@code dims} dimensions in a writer's output. */
  private static int indexOfTensorType(byte[] file, String name, int dims) {
    byte[] needle = ByteBuffer.allocate(8 + name.length() + 4).order(ByteOrder.LITTLE_ENDIAN)
        .putLong(name.length()).put(name.getBytes()).putInt(dims).array();
    outer:
    for (int i = 0; i + needle.length <= file.length; i++) {
      for (int j = 0; j < needle.length; j++) if (file[i + j] != needle[j]) continue outer;
      return i + needle.length + 8 * dims;
    }
    throw new AssertionError("tensor " + name + " not found");
  }

  @Test
  void writerAndReaderAgreeOnAllArrayTypes() {
    GgufWriter w = new GgufWriter().putStrings("s", new String[] {"x", "", "ü"}).putFloats("f", new float[] {1, 2})
        .putInt32s("i", new long[] {-1, 5}).putBool("b", true).putUint32("general.alignment", 64)
        .f32("t", new long[] {3}, new float[] {1, 2, 3});
    GgufFile f = read(TinyModels.toBytes(w));
    assertArrayEquals(new String[] {"x", "", "ü"}, f.metadata().getStringArray("s"));
    assertArrayEquals(new float[] {1, 2}, f.metadata().getFloatArray("f"));
    assertArrayEquals(new long[] {-1, 5}, f.metadata().getIntegerArray("i"));
    assertEquals(64, f.alignment());
    assertEquals(0, f.tensor("t").fileOffset() % 64);
  }
}
