package org.bitnetspark.engine.gguf;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes GGUF v3 files (the layout {@link GgufReader} documents): metadata in insertion order, then
 * tensor infos, then each tensor's data padded to the alignment. Tensor data is produced on demand
 * by a {@link TensorData}, so files larger than the heap can be written.
 */
public final class GgufWriter {
  /** Writes a tensor's bytes; must write exactly the size declared for it. */
  @FunctionalInterface
  public interface TensorData {
    void writeTo(OutputStream out) throws IOException;
  }

  private record Value(GgufValueType type, Object value) {}

  private record Tensor(String name, GgmlType type, long[] shape, long size, TensorData data) {}

  private final Map<String, Value> metadata = new LinkedHashMap<>();
  private final List<Tensor> tensors = new ArrayList<>();
  private int alignment = GgufReader.DEFAULT_ALIGNMENT;

  public GgufWriter putString(String key, String v) {
    return put(key, GgufValueType.STRING, v);
  }

  public GgufWriter putUint32(String key, long v) {
    return put(key, GgufValueType.UINT32, v);
  }

  public GgufWriter putFloat32(String key, float v) {
    return put(key, GgufValueType.FLOAT32, v);
  }

  public GgufWriter putBool(String key, boolean v) {
    return put(key, GgufValueType.BOOL, v);
  }

  public GgufWriter putStrings(String key, String[] v) {
    return put(key, GgufValueType.ARRAY, new Object[] {GgufValueType.STRING, v});
  }

  public GgufWriter putFloats(String key, float[] v) {
    return put(key, GgufValueType.ARRAY, new Object[] {GgufValueType.FLOAT32, v});
  }

  public GgufWriter putInt32s(String key, long[] v) {
    return put(key, GgufValueType.ARRAY, new Object[] {GgufValueType.INT32, v});
  }

  /** Copies a value read by {@link GgufReader}, keeping its declared type. */
  public GgufWriter copy(GgufMetadata from, String key) {
    GgufValueType type = from.typeOf(key);
    Object v = from.asMap().get(key);
    if (type != GgufValueType.ARRAY) return put(key, type, v);
    GgufValueType elem = v instanceof String[] ? GgufValueType.STRING
        : v instanceof float[] ? GgufValueType.FLOAT32
        : v instanceof double[] ? GgufValueType.FLOAT64
        : v instanceof boolean[] ? GgufValueType.BOOL
        : GgufValueType.INT32; // integer arrays are written as int32, the type llama.cpp uses for them
    return put(key, type, new Object[] {elem, v});
  }

  private GgufWriter put(String key, GgufValueType type, Object v) {
    if (key.equals("general.alignment")) alignment = ((Number) v).intValue();
    metadata.put(key, new Value(type, v));
    return this;
  }

  /** Adds a tensor; {@code shape[0]} is the row length. */
  public GgufWriter tensor(String name, GgmlType type, long[] shape, TensorData data) {
    long rows = 1;
    for (int i = 1; i < shape.length; i++) rows *= shape[i];
    long size = type.byteSize(shape[0], rows);
    if (size < 0) throw new IllegalArgumentException(name + ": row length " + shape[0] + " is not a whole number of "
        + type + " blocks");
    tensors.add(new Tensor(name, type, shape.clone(), size, data));
    return this;
  }

  /** Adds an F32 tensor from values. */
  public GgufWriter f32(String name, long[] shape, float[] values) {
    return tensor(name, GgmlType.F32, shape, out -> {
      ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
      for (float v : values) b.putFloat(v);
      out.write(b.array());
    });
  }

  public void write(Path path) throws IOException {
    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(path), 1 << 20)) {
      write(out);
    }
  }

  public void write(OutputStream raw) throws IOException {
    CountingStream out = new CountingStream(raw);
    out.u32(GgufReader.MAGIC);
    out.u32(3);
    out.u64(tensors.size());
    out.u64(metadata.size());
    for (Map.Entry<String, Value> e : metadata.entrySet()) {
      out.string(e.getKey());
      out.u32(e.getValue().type.ordinal());
      value(out, e.getValue().type, e.getValue().value);
    }
    long offset = 0;
    for (Tensor t : tensors) {
      out.string(t.name);
      out.u32(t.shape.length);
      for (long d : t.shape) out.u64(d);
      out.u32(t.type.id);
      out.u64(offset);
      offset = GgufReader.alignUp(offset + t.size, alignment);
    }
    out.pad(alignment);
    for (Tensor t : tensors) {
      long start = out.count;
      t.data.writeTo(out);
      if (out.count - start != t.size) {
        throw new IllegalStateException(t.name + ": wrote " + (out.count - start) + " bytes, declared " + t.size);
      }
      out.pad(alignment);
    }
    out.flush();
  }

  private static void value(CountingStream out, GgufValueType type, Object v) throws IOException {
    switch (type) {
      case UINT8, INT8 -> out.write(((Number) v).intValue());
      case UINT16, INT16 -> out.u16(((Number) v).intValue());
      case UINT32, INT32 -> out.u32(((Number) v).intValue());
      case UINT64, INT64 -> out.u64(((Number) v).longValue());
      case FLOAT32 -> out.u32(Float.floatToRawIntBits(((Number) v).floatValue()));
      case FLOAT64 -> out.u64(Double.doubleToRawLongBits(((Number) v).doubleValue()));
      case BOOL -> out.write((Boolean) v ? 1 : 0);
      case STRING -> out.string((String) v);
      case ARRAY -> {
        Object[] typed = (Object[]) v;
        GgufValueType elem = (GgufValueType) typed[0];
        out.u32(elem.ordinal());
        Object array = typed[1];
        if (array instanceof String[] s) {
          out.u64(s.length);
          for (String x : s) out.string(x);
        } else if (array instanceof float[] f) {
          out.u64(f.length);
          for (float x : f) out.u32(Float.floatToRawIntBits(x));
        } else if (array instanceof double[] d) {
          out.u64(d.length);
          for (double x : d) out.u64(Double.doubleToRawLongBits(x));
        } else if (array instanceof boolean[] b) {
          out.u64(b.length);
          for (boolean x : b) out.write(x ? 1 : 0);
        } else if (array instanceof long[] l) {
          out.u64(l.length);
          for (long x : l) value(out, elem, x);
        } else {
          throw new IllegalArgumentException("unsupported array " + array.getClass());
        }
      }
    }
  }

  /** Little-endian primitives over a stream, counting bytes for padding. */
  private static final class CountingStream extends OutputStream {
    private final OutputStream out;
    long count;

    CountingStream(OutputStream out) {
      this.out = out;
    }

    @Override
    public void write(int b) throws IOException {
      out.write(b);
      count++;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
      count += len;
    }

    @Override
    public void flush() throws IOException {
      out.flush();
    }

    void u16(int v) throws IOException {
      write(v & 0xff);
      write((v >>> 8) & 0xff);
    }

    void u32(int v) throws IOException {
      u16(v & 0xffff);
      u16(v >>> 16);
    }

    void u64(long v) throws IOException {
      u32((int) v);
      u32((int) (v >>> 32));
    }

    void string(String s) throws IOException {
      byte[] b = s.getBytes(StandardCharsets.UTF_8);
      u64(b.length);
      write(b, 0, b.length);
    }

    void pad(int alignment) throws IOException {
      while (count % alignment != 0) write(0);
    }
  }
}
