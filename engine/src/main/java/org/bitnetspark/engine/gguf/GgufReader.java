package org.bitnetspark.engine.gguf;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.bitnetspark.engine.error.ModelFormatException;
import org.bitnetspark.engine.error.UnsupportedModelException;
import org.bitnetspark.engine.io.ModelSource;

/**
 * Parses a GGUF file (versions 2 and 3). Layout, all little-endian (llama.cpp {@code gguf.h}):
 * <ol>
 *   <li>magic {@code "GGUF"}, u32 version, u64 tensor_count, u64 kv_count;</li>
 *   <li>kv_count key/values: string key, u32 value type, value (arrays: u32 element type, u64
 *       count, elements);</li>
 *   <li>tensor_count tensor infos: string name, u32 n_dims, u64 ne[n_dims], u32 type, u64 offset;</li>
 *   <li>zero padding to {@code general.alignment} (default 32), then the tensor data, each tensor at
 *       data_start + offset.</li>
 * </ol>
 * Every count, length, offset and size is checked against the file length before anything is
 * allocated, so a corrupt or truncated file fails fast with a message naming the field and offset,
 * and never makes the reader allocate more than the file's size.
 */
public final class GgufReader {
  static final int MAGIC = 0x46554747; // "GGUF" read as a little-endian u32
  static final int DEFAULT_ALIGNMENT = 32;
  static final int MAX_DIMS = 4;

  private GgufReader() {}

  /** Reads the header and tensor directory; the source stays open and is owned by the result. */
  public static GgufFile read(ModelSource source) {
    Cursor in = new Cursor(source);
    if (source.size() < 24) {
      throw in.error(0, "file has " + source.size() + " bytes, less than a GGUF header (24 bytes). "
          + "Is the download complete?");
    }
    int magic = in.u32("magic");
    if (magic != MAGIC) {
      throw in.error(0, String.format("magic is 0x%08x, expected 0x%08x (\"GGUF\"): not a GGUF file", magic, MAGIC));
    }
    int version = in.u32("version");
    if (version != 2 && version != 3) {
      throw new UnsupportedModelException(source.uri() + ": GGUF version " + Integer.toUnsignedString(version)
          + " is not supported (versions 2 and 3 are). Re-convert the model with a current llama.cpp.");
    }
    long tensorCount = in.u64("tensor_count");
    long kvCount = in.u64("kv_count");
    // each kv needs at least a key length, a type and a value; each tensor info at least 8+4+8+4+8 bytes
    in.checkCount(kvCount, 8 + 4 + 1, "kv_count");
    in.checkCount(tensorCount, 8 + 4 + 8 + 4 + 8, "tensor_count");

    Map<String, Object> values = new LinkedHashMap<>();
    Map<String, GgufValueType> types = new LinkedHashMap<>();
    for (long i = 0; i < kvCount; i++) {
      long keyOffset = in.position();
      String key = in.string("key of metadata entry " + i);
      long typeOffset = in.position();
      GgufValueType type = GgufValueType.byId(Integer.toUnsignedLong(in.u32("value type of '" + key + "'")));
      if (type == null) throw in.error(typeOffset, "metadata '" + key + "' has an unknown value type");
      if (values.containsKey(key)) throw in.error(keyOffset, "metadata key '" + key + "' appears twice");
      values.put(key, in.value(type, key));
      types.put(key, type);
    }
    GgufMetadata metadata = new GgufMetadata(source.uri(), values, types);
    int alignment = DEFAULT_ALIGNMENT;
    if (metadata.contains("general.alignment")) {
      long a = metadata.getLong("general.alignment");
      if (a <= 0 || a > (1 << 20) || (a & (a - 1)) != 0) {
        throw in.error(-1, "general.alignment = " + a + " must be a power of two up to 1 MiB");
      }
      alignment = (int) a;
    }

    List<PendingTensor> infos = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (long i = 0; i < tensorCount; i++) {
      long infoOffset = in.position();
      String name = in.string("name of tensor " + i);
      if (!names.add(name)) throw in.error(infoOffset, "tensor '" + name + "' appears twice");
      int nDims = in.u32("n_dims of '" + name + "'");
      if (nDims < 1 || nDims > MAX_DIMS) {
        throw in.error(infoOffset, "tensor '" + name + "' has n_dims " + Integer.toUnsignedString(nDims)
            + ", expected 1.." + MAX_DIMS);
      }
      long[] shape = new long[nDims];
      long elements = 1;
      for (int d = 0; d < nDims; d++) {
        shape[d] = in.u64("ne[" + d + "] of '" + name + "'");
        if (shape[d] <= 0 || shape[d] > source.size() * 8) {
          throw in.error(infoOffset, "tensor '" + name + "' has ne[" + d + "] = "
              + Long.toUnsignedString(shape[d]) + ", not a plausible size for a " + source.size() + "-byte file");
        }
        try {
          elements = Math.multiplyExact(elements, shape[d]);
        } catch (ArithmeticException e) {
          throw in.error(infoOffset, "tensor '" + name + "' has too many elements");
        }
      }
      long typeOffset = in.position();
      long typeId = Integer.toUnsignedLong(in.u32("type of '" + name + "'"));
      GgmlType type = GgmlType.byId(typeId);
      if (type == null) {
        throw new UnsupportedModelException(source.uri() + ": tensor '" + name + "' has ggml type id " + typeId
            + " (at byte " + typeOffset + "), which this engine does not know. Supported types: "
            + GgmlType.supportedNames() + ".");
      }
      long offset = in.u64("offset of '" + name + "'");
      long size;
      try {
        size = type.byteSize(shape[0], elements / shape[0]);
      } catch (ArithmeticException e) {
        size = Long.MAX_VALUE; // cannot fit; reported with the file-length check below
      }
      if (size < 0) {
        throw in.error(infoOffset, "tensor '" + name + "' of type " + type + " has row length " + shape[0]
            + ", not a multiple of its block size " + type.blockSize);
      }
      if (offset % alignment != 0) {
        throw in.error(infoOffset, "tensor '" + name + "' data offset " + offset + " is not a multiple of the alignment "
            + alignment);
      }
      infos.add(new PendingTensor(name, type, shape, offset, size));
    }
    long dataStart = alignUp(in.position(), alignment);
    List<TensorInfo> tensors = new ArrayList<>(infos.size());
    for (PendingTensor p : infos) {
      long start = dataStart + p.offset;
      if (p.offset < 0 || start < 0 || start > source.size() || p.size > source.size() - start) {
        throw new ModelFormatException(source.uri() + ": tensor '" + p.name + "' data ends at byte "
            + (p.offset < 0 ? "(offset overflow)" : Long.toUnsignedString(start + p.size)) + " but the file has "
            + source.size() + " bytes (truncated copy?). Re-download the model or check the upload finished.");
      }
      tensors.add(new TensorInfo(p.name, p.type, p.shape, start, p.size));
    }
    return new GgufFile(source, version, alignment, dataStart, metadata, tensors);
  }

  static long alignUp(long x, long alignment) {
    return (x + alignment - 1) / alignment * alignment;
  }

  private record PendingTensor(String name, GgmlType type, long[] shape, long offset, long size) {}

  /** Sequential little-endian reads through a window over the source, with bounds checks. */
  private static final class Cursor {
    private static final int WINDOW = 1 << 20;
    private final ModelSource source;
    private ByteBuffer window;
    private long windowStart;
    private long pos;

    Cursor(ModelSource source) {
      this.source = source;
    }

    long position() {
      return pos;
    }

    long remaining() {
      return source.size() - pos;
    }

    private ByteBuffer need(int n, String field) {
      if (n > remaining()) {
        throw error(pos, "file ends while reading " + field + " (needs " + n + " bytes, " + remaining()
            + " left): the file is truncated");
      }
      if (window == null || pos < windowStart || pos + n > windowStart + window.limit()) {
        int len = (int) Math.min(remaining(), Math.max(n, WINDOW));
        try {
          window = source.slice(pos, len);
        } catch (IOException e) {
          throw new ModelFormatException(source.uri() + ": cannot read at byte " + pos + ": " + e.getMessage(), e);
        }
        windowStart = pos;
      }
      window.position((int) (pos - windowStart));
      pos += n;
      return window;
    }

    int u32(String field) {
      return need(4, field).getInt();
    }

    long u64(String field) {
      return need(8, field).getLong();
    }

    void checkCount(long count, long minBytesEach, String field) {
      if (count < 0 || count > remaining() / minBytesEach) {
        throw error(pos, field + " = " + Long.toUnsignedString(count) + " cannot fit in the remaining "
            + remaining() + " bytes: the header is corrupt");
      }
    }

    String string(String field) {
      long start = pos;
      long len = u64("length of " + field);
      if (len < 0 || len > remaining()) {
        throw error(start, field + " declares " + Long.toUnsignedString(len) + " bytes but only " + remaining()
            + " remain: the file is truncated or corrupt");
      }
      byte[] b = new byte[(int) len];
      int done = 0;
      while (done < len) { // strings may span windows
        int chunk = (int) Math.min(len - done, WINDOW);
        need(chunk, field).get(b, done, chunk);
        done += chunk;
      }
      return new String(b, StandardCharsets.UTF_8);
    }

    Object value(GgufValueType type, String key) {
      return switch (type) {
        case UINT8 -> (long) (need(1, key).get() & 0xff);
        case INT8 -> (long) need(1, key).get();
        case UINT16 -> (long) (need(2, key).getShort() & 0xffff);
        case INT16 -> (long) need(2, key).getShort();
        case UINT32 -> Integer.toUnsignedLong(u32(key));
        case INT32 -> (long) u32(key);
        case UINT64, INT64 -> u64(key);
        case FLOAT32 -> need(4, key).getFloat();
        case FLOAT64 -> need(8, key).getDouble();
        case BOOL -> {
          long at = pos;
          byte b = need(1, key).get();
          if (b != 0 && b != 1) throw error(at, "metadata '" + key + "' is a bool with byte value " + b);
          yield b == 1;
        }
        case STRING -> string("value of '" + key + "'");
        case ARRAY -> array(key);
      };
    }

    private Object array(String key) {
      long start = pos;
      GgufValueType elem = GgufValueType.byId(Integer.toUnsignedLong(u32("element type of '" + key + "'")));
      if (elem == null) throw error(start, "metadata array '" + key + "' has an unknown element type");
      if (elem == GgufValueType.ARRAY) throw error(start, "metadata array '" + key + "' nests arrays (not allowed)");
      long count = u64("count of '" + key + "'");
      checkCount(count, elem.size, "element count of '" + key + "'");
      int n = (int) count;
      switch (elem) {
        case STRING -> {
          String[] out = new String[n];
          for (int i = 0; i < n; i++) out[i] = string("element " + i + " of '" + key + "'");
          return out;
        }
        case FLOAT32 -> {
          float[] out = new float[n];
          for (int i = 0; i < n; i++) out[i] = need(4, key).getFloat();
          return out;
        }
        case FLOAT64 -> {
          double[] out = new double[n];
          for (int i = 0; i < n; i++) out[i] = need(8, key).getDouble();
          return out;
        }
        case BOOL -> {
          boolean[] out = new boolean[n];
          for (int i = 0; i < n; i++) out[i] = need(1, key).get() != 0;
          return out;
        }
        default -> {
          long[] out = new long[n];
          for (int i = 0; i < n; i++) out[i] = (Long) value(elem, key);
          return out;
        }
      }
    }

    ModelFormatException error(long offset, String message) {
      return new ModelFormatException(source.uri() + (offset >= 0 ? " at byte " + offset : "") + ": " + message);
    }
  }
}
