package org.bitnetspark.engine.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bitnetspark.engine.error.ModelFormatException;
import org.bitnetspark.engine.error.UnsupportedModelException;
import org.bitnetspark.engine.io.ModelSource;
import org.bitnetspark.engine.quant.Float16;

/**
 * A safetensors file (huggingface/safetensors): {@code u64 header length N}, N bytes of JSON
 * {@code {"name": {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {...}}}, then the
 * tensor bytes, little-endian and row-major, at offsets relative to the end of the header. Every
 * entry is checked against the file before any tensor is read.
 */
public final class SafetensorsFile {
  /** The format's own limit on the header. */
  static final long MAX_HEADER_BYTES = 100L << 20;

  /** The element types we read. */
  public enum DType {
    F32(4), F16(2), BF16(2), U8(1), I8(1);

    public final int bytes;

    DType(int bytes) {
      this.bytes = bytes;
    }
  }

  /** One tensor. {@code shape} is as PyTorch gives it: [rows, columns] for a matrix. */
  public record Entry(String name, DType dtype, long[] shape, long begin, long end) {
    public long elements() {
      long n = 1;
      for (long d : shape) n *= d;
      return n;
    }
  }

  private final ModelSource source;
  private final long dataStart;
  private final Map<String, Entry> entries;

  private SafetensorsFile(ModelSource source, long dataStart, Map<String, Entry> entries) {
    this.source = source;
    this.dataStart = dataStart;
    this.entries = entries;
  }

  public static SafetensorsFile read(ModelSource source) {
    String uri = source.uri();
    try {
      if (source.size() < 8) throw new ModelFormatException(uri + ": " + source.size() + " bytes is too short for a "
          + "safetensors file (8-byte header length first); the file is truncated or not safetensors");
      long headerLength = source.slice(0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
      if (headerLength < 2 || headerLength > MAX_HEADER_BYTES || headerLength > source.size() - 8) {
        throw new ModelFormatException(uri + ": header length " + headerLength + " does not fit the file ("
            + source.size() + " bytes) or the format's 100 MiB limit; the file is truncated or not safetensors");
      }
      ByteBuffer header = source.slice(8, (int) headerLength);
      byte[] json = new byte[(int) headerLength];
      header.get(json);
      JsonNode root;
      try {
        root = new ObjectMapper().readTree(new String(json, StandardCharsets.UTF_8));
      } catch (IOException e) {
        throw new ModelFormatException(uri + ": the header is not valid JSON (" + e.getMessage() + ")");
      }
      if (root == null || !root.isObject()) throw new ModelFormatException(uri + ": the header is not a JSON object");
      long dataLength = source.size() - 8 - headerLength;
      Map<String, Entry> entries = new LinkedHashMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> f = it.next();
        if (f.getKey().equals("__metadata__")) continue;
        entries.put(f.getKey(), entry(uri, f.getKey(), f.getValue(), dataLength));
      }
      checkNoOverlap(uri, entries);
      return new SafetensorsFile(source, 8 + headerLength, Collections.unmodifiableMap(entries));
    } catch (IOException e) {
      throw new UncheckedIOException(uri + ": cannot read the safetensors header: " + e.getMessage(), e);
    }
  }

  private static Entry entry(String uri, String name, JsonNode n, long dataLength) {
    String where = uri + ": tensor '" + name + "'";
    JsonNode dtype = n.get("dtype");
    JsonNode shape = n.get("shape");
    JsonNode offsets = n.get("data_offsets");
    if (dtype == null || shape == null || !shape.isArray() || offsets == null || !offsets.isArray() || offsets.size() != 2) {
      throw new ModelFormatException(where + " lacks dtype, shape or data_offsets [begin, end]");
    }
    DType type;
    try {
      type = DType.valueOf(dtype.asText());
    } catch (IllegalArgumentException e) {
      throw new UnsupportedModelException(where + " has dtype " + dtype.asText() + "; supported: "
          + Arrays.toString(DType.values()));
    }
    long[] dims = new long[shape.size()];
    long elements = 1;
    for (int i = 0; i < dims.length; i++) {
      dims[i] = shape.get(i).asLong(-1);
      if (!shape.get(i).canConvertToLong() || dims[i] < 0) throw new ModelFormatException(where + " has shape " + shape);
      elements = Math.multiplyExact(elements, dims[i]);
    }
    long begin = offsets.get(0).asLong(-1);
    long end = offsets.get(1).asLong(-1);
    if (begin < 0 || end < begin || end > dataLength) {
      throw new ModelFormatException(where + " has data_offsets [" + begin + ", " + end + "] outside the "
          + dataLength + " data bytes; the file is truncated or corrupt");
    }
    if (end - begin != elements * type.bytes) {
      throw new ModelFormatException(where + " has " + (end - begin) + " bytes but its shape " + shape + " of "
          + type + " needs " + elements * type.bytes);
    }
    return new Entry(name, type, dims, begin, end);
  }

  private static void checkNoOverlap(String uri, Map<String, Entry> entries) {
    List<Entry> sorted = new ArrayList<>(entries.values());
    sorted.sort(Comparator.comparingLong(Entry::begin));
    for (int i = 1; i < sorted.size(); i++) {
      if (sorted.get(i).begin() < sorted.get(i - 1).end()) {
        throw new ModelFormatException(uri + ": tensors '" + sorted.get(i - 1).name() + "' and '" + sorted.get(i).name()
            + "' overlap; the file is corrupt");
      }
    }
  }

  public String uri() {
    return source.uri();
  }

  public Map<String, Entry> tensors() {
    return entries;
  }

  /** The tensor's bytes, little-endian. */
  public ByteBuffer data(Entry e) {
    try {
      return source.slice(dataStart + e.begin(), Math.toIntExact(e.end() - e.begin())).order(ByteOrder.LITTLE_ENDIAN);
    } catch (IOException ex) {
      throw new UncheckedIOException(uri() + ": cannot read tensor '" + e.name() + "': " + ex.getMessage(), ex);
    } catch (ArithmeticException ex) {
      throw new UnsupportedModelException(uri() + ": tensor '" + e.name() + "' is over 2 GiB");
    }
  }

  /** Elements [from, from + n) of a float tensor (F32, F16 or BF16) as floats. */
  public static void floats(Entry e, ByteBuffer data, long from, int n, float[] out, int outOff) {
    int base = Math.toIntExact(from);
    switch (e.dtype()) {
      case F32 -> { for (int i = 0; i < n; i++) out[outOff + i] = data.getFloat((base + i) * 4); }
      case F16 -> { for (int i = 0; i < n; i++) out[outOff + i] = Float16.toFloat(data.getShort((base + i) * 2)); }
      case BF16 -> {
        for (int i = 0; i < n; i++) out[outOff + i] = Float.intBitsToFloat((data.getShort((base + i) * 2) & 0xffff) << 16);
      }
      default -> throw new UnsupportedModelException("tensor '" + e.name() + "' is " + e.dtype()
          + " where a float tensor (F32, F16, BF16) is needed");
    }
  }
}
