package org.bitnetspark.engine.gguf;

import java.util.Arrays;

/**
 * One entry of the GGUF tensor directory, already checked against the file.
 *
 * @param name tensor name, e.g. {@code blk.0.attn_q.weight}
 * @param type element type
 * @param shape {@code ne}: shape[0] is the contiguous dimension (the row length)
 * @param fileOffset absolute byte offset of the data in the file
 * @param sizeBytes bytes of data
 */
public record TensorInfo(String name, GgmlType type, long[] shape, long fileOffset, long sizeBytes) {

  public TensorInfo {
    shape = shape.clone();
  }

  @Override
  public long[] shape() {
    return shape.clone();
  }

  /** Elements per row (ne[0]). */
  public long rowLength() {
    return shape[0];
  }

  /** Number of rows: the product of ne[1..]. */
  public long rows() {
    long r = 1;
    for (int i = 1; i < shape.length; i++) r *= shape[i];
    return r;
  }

  /** Bytes of one row in the file (rows are contiguous in every type; I2_S packs 4 weights a byte). */
  public long rowBytes() {
    return type == GgmlType.I2_S ? rowLength() / 4 : rowLength() / type.blockSize * type.blockBytes;
  }

  /**
   * Rows {@code [start, end)} of a matrix as a tensor of its own (same name and type), for loading a
   * shard; an I2_S slice keeps the tensor's trailer size (its scale is appended by {@link GgufFile#rows}).
   */
  public TensorInfo rowSlice(int start, int end) {
    if (shape.length != 2 || start < 0 || end > rows() || start >= end) {
      throw new IllegalArgumentException(name + ": cannot take rows [" + start + ", " + end + ") of " + shapeString());
    }
    long trailer = type == GgmlType.I2_S ? GgmlType.I2_S_TRAILER_BYTES : 0;
    return new TensorInfo(name, type, new long[] {shape[0], end - start}, fileOffset + start * rowBytes(),
        (end - start) * rowBytes() + trailer);
  }

  public long elements() {
    return rowLength() * rows();
  }

  /** Shape as ggml prints it, e.g. {@code [256, 512]}. */
  public String shapeString() {
    return Arrays.toString(shape);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TensorInfo t && t.name.equals(name) && t.type == type && Arrays.equals(t.shape, shape)
        && t.fileOffset == fileOffset && t.sizeBytes == sizeBytes;
  }

  @Override
  public int hashCode() {
    return name.hashCode() * 31 + Arrays.hashCode(shape);
  }

  @Override
  public String toString() {
    return name + " " + type + " " + shapeString() + " @" + fileOffset;
  }
}
