package org.bitnetspark.engine.gguf;

/** GGUF metadata value types ({@code gguf.h} {@code enum gguf_type}) with their encoded sizes. */
public enum GgufValueType {
  UINT8(1), INT8(1), UINT16(2), INT16(2), UINT32(4), INT32(4), FLOAT32(4), BOOL(1),
  /** u64 length + bytes; {@link #size} is the minimum (an empty string). */
  STRING(8),
  /** u32 element type + u64 count + elements; {@link #size} is the minimum (an empty array). */
  ARRAY(12),
  UINT64(8), INT64(8), FLOAT64(8);

  /** Encoded bytes of one value (the minimum for variable-size types). */
  public final int size;

  GgufValueType(int size) {
    this.size = size;
  }

  /** The type with this id, or null. */
  public static GgufValueType byId(long id) {
    return id >= 0 && id < values().length ? values()[(int) id] : null;
  }

  public boolean isInteger() {
    return switch (this) {
      case UINT8, INT8, UINT16, INT16, UINT32, INT32, UINT64, INT64 -> true;
      default -> false;
    };
  }
}
