package org.bitnetspark.engine.gguf;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * ggml tensor types by their GGUF type id ({@code ggml.h} {@code enum ggml_type}; I2_S is the
 * microsoft/BitNet fork's id). Each type has a block of {@code blockSize} elements stored in
 * {@code blockBytes} bytes; docs/FORMATS.md section 4 gives the layouts.
 */
public enum GgmlType {
  F32(0, 1, 4, true),
  F16(1, 1, 2, true),
  Q4_0(2, 32, 18, false),
  Q4_1(3, 32, 20, false),
  Q5_0(6, 32, 22, false),
  Q5_1(7, 32, 24, false),
  Q8_0(8, 32, 34, true), // fp16 d + int8 qs[32]
  Q8_1(9, 32, 36, false),
  Q2_K(10, 256, 84, false),
  Q3_K(11, 256, 110, false),
  Q4_K(12, 256, 144, true), // fp16 d, fp16 dmin, scales[12], qs[128]
  Q5_K(13, 256, 176, false),
  Q6_K(14, 256, 210, true), // ql[128], qh[64], int8 scales[16], fp16 d
  Q8_K(15, 256, 292, false), // activations only
  I8(24, 1, 1, false),
  I16(25, 1, 2, false),
  I32(26, 1, 4, false),
  I64(27, 1, 8, false),
  F64(28, 1, 8, false),
  BF16(30, 1, 2, true),
  TQ1_0(34, 256, 54, true), // 1.6875 bits per weight
  TQ2_0(35, 256, 66, true), // 2.0625 bits per weight
  /** microsoft/BitNet fork: 2-bit codes for the whole tensor, then one f32 scale, then 28 pad bytes. */
  I2_S(36, 1, 1, true);

  /** I2_S tensors end with a 32-byte trailer: the f32 tensor scale and 28 zero bytes. */
  public static final int I2_S_TRAILER_BYTES = 32;

  private static final GgmlType[] BY_ID = new GgmlType[64];

  static {
    for (GgmlType t : values()) BY_ID[t.id] = t;
  }

  public final int id;
  public final int blockSize;
  public final int blockBytes;
  /** Whether this engine can read tensors of this type. */
  public final boolean supported;

  GgmlType(int id, int blockSize, int blockBytes, boolean supported) {
    this.id = id;
    this.blockSize = blockSize;
    this.blockBytes = blockBytes;
    this.supported = supported;
  }

  /** The type with this id, or null if the id is not a known ggml type. */
  public static GgmlType byId(long id) {
    return id >= 0 && id < BY_ID.length ? BY_ID[(int) id] : null;
  }

  /** Names of the types this engine reads, for error messages. */
  public static String supportedNames() {
    return Arrays.stream(values()).filter(t -> t.supported).map(Enum::name).collect(Collectors.joining(", "));
  }

  /** Whether every element is ternary by construction (only the code values -1, 0, +1 exist). */
  public boolean isTernary() {
    return this == TQ1_0 || this == TQ2_0 || this == I2_S;
  }

  /**
   * Bytes of a tensor with {@code rowLength} elements per row and {@code rows} rows, or -1 if the
   * row length is not a whole number of blocks. I2_S is special-cased as ggml_nbytes does in the
   * fork: n/4 code bytes plus the 32-byte trailer.
   */
  public long byteSize(long rowLength, long rows) {
    if (this == I2_S) {
      long n = Math.multiplyExact(rowLength, rows);
      return n % 4 == 0 ? n / 4 + I2_S_TRAILER_BYTES : -1;
    }
    if (rowLength % blockSize != 0) return -1;
    return Math.multiplyExact(Math.multiplyExact(rowLength / blockSize, (long) blockBytes), rows);
  }
}
