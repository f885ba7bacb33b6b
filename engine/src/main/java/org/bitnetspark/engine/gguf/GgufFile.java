package org.bitnetspark.engine.gguf;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.bitnetspark.engine.error.ModelFormatException;
import org.bitnetspark.engine.io.ModelSource;

/**
 * A parsed GGUF file: version, metadata and the tensor directory, every entry validated against the
 * file length by {@link GgufReader}. Tensor bytes are fetched lazily from the {@link ModelSource}
 * (memory-mapped for local files). Thread-safe; closing it closes the source.
 */
public final class GgufFile implements AutoCloseable {
  private final ModelSource source;
  private final int version;
  private final int alignment;
  private final long dataStart;
  private final GgufMetadata metadata;
  private final Map<String, TensorInfo> tensors;

  GgufFile(ModelSource source, int version, int alignment, long dataStart, GgufMetadata metadata,
      List<TensorInfo> tensors) {
    this.source = source;
    this.version = version;
    this.alignment = alignment;
    this.dataStart = dataStart;
    this.metadata = metadata;
    Map<String, TensorInfo> byName = new LinkedHashMap<>();
    for (TensorInfo t : tensors) byName.put(t.name(), t);
    this.tensors = Collections.unmodifiableMap(byName);
  }

  public String uri() {
    return source.uri();
  }

  public long fileSize() {
    return source.size();
  }

  public int version() {
    return version;
  }

  public int alignment() {
    return alignment;
  }

  /** Absolute offset of the tensor data section. */
  public long dataStart() {
    return dataStart;
  }

  public GgufMetadata metadata() {
    return metadata;
  }

  /** Tensors in file order. */
  public Map<String, TensorInfo> tensors() {
    return tensors;
  }

  public Optional<TensorInfo> findTensor(String name) {
    return Optional.ofNullable(tensors.get(name));
  }

  public TensorInfo tensor(String name) {
    TensorInfo t = tensors.get(name);
    if (t == null) {
      throw new ModelFormatException(uri() + ": tensor '" + name + "' is missing (the file has "
          + tensors.size() + " tensors). The file is incomplete or was written for another architecture.");
    }
    return t;
  }

  /** The tensor's bytes: a read-only little-endian view (no copy for local files). */
  public ByteBuffer data(TensorInfo t) {
    return read(t, t.fileOffset(), t.sizeBytes());
  }

  /**
   * The bytes of {@code slice}, a {@link TensorInfo#rowSlice} of {@code whole}: only those rows are read.
   * An I2_S slice gets the tensor's trailer (its scale) appended, so it parses like a whole tensor.
   */
  public ByteBuffer rows(TensorInfo whole, TensorInfo slice) {
    if (slice.equals(whole) || whole.type() != GgmlType.I2_S) return data(slice);
    long body = slice.sizeBytes() - GgmlType.I2_S_TRAILER_BYTES;
    ByteBuffer out = ByteBuffer.allocate(Math.toIntExact(slice.sizeBytes()));
    out.put(read(whole, slice.fileOffset(), body));
    out.put(read(whole, whole.fileOffset() + whole.rows() * whole.rowBytes(), GgmlType.I2_S_TRAILER_BYTES));
    return out.flip().asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
  }

  private ByteBuffer read(TensorInfo t, long offset, long length) {
    try {
      return source.slice(offset, Math.toIntExact(length));
    } catch (ArithmeticException e) {
      throw new ModelFormatException(uri() + ": tensor '" + t.name() + "' has " + t.sizeBytes()
          + " bytes; tensors over 2 GiB are not supported");
    } catch (IOException e) {
      throw new ModelFormatException(uri() + ": cannot read tensor '" + t.name() + "' at byte "
          + offset + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void close() throws IOException {
    source.close();
  }
}
