package org.bitnetspark.engine.quant;

import java.nio.ByteBuffer;
import org.bitnetspark.engine.error.UnsupportedModelException;
import org.bitnetspark.engine.gguf.GgmlType;

/**
 * Dequantisation of one row of a tensor to floats, for every type the engine reads. Layouts follow
 * llama.cpp's {@code ggml-common.h} block structs and {@code dequantize_row_*} (docs/FORMATS.md
 * section 4); the ternary types are also decoded by {@link TernaryCodes} for packing.
 *
 * <p>{@code data} is the whole tensor (little-endian); rows are {@code rowLength} elements.
 */
public final class Dequantize {
  private Dequantize() {}

  public static void row(GgmlType type, ByteBuffer data, long row, int rowLength, float[] dst, int dstOffset) {
    long firstElement = row * rowLength;
    switch (type) {
      case F32 -> {
        int base = Math.toIntExact(firstElement * 4);
        for (int i = 0; i < rowLength; i++) dst[dstOffset + i] = data.getFloat(base + 4 * i);
      }
      case F16 -> {
        int base = Math.toIntExact(firstElement * 2);
        for (int i = 0; i < rowLength; i++) dst[dstOffset + i] = Float16.toFloat(data.getShort(base + 2 * i));
      }
      case BF16 -> {
        int base = Math.toIntExact(firstElement * 2);
        for (int i = 0; i < rowLength; i++) dst[dstOffset + i] = Float16.bf16ToFloat(data.getShort(base + 2 * i));
      }
      case I2_S -> i2s(data, firstElement, rowLength, dst, dstOffset);
      default -> {
        int blocks = rowLength / type.blockSize;
        int base = Math.toIntExact(row * blocks * type.blockBytes);
        for (int b = 0; b < blocks; b++) {
          block(type, data, base + b * type.blockBytes, dst, dstOffset + b * type.blockSize);
        }
      }
    }
  }

  /** One block of a block-quantised type starting at byte {@code at}. */
  static void block(GgmlType type, ByteBuffer data, int at, float[] y, int yo) {
    switch (type) {
      case Q8_0 -> q8_0(data, at, y, yo);
      case Q4_K -> q4_K(data, at, y, yo);
      case Q6_K -> q6_K(data, at, y, yo);
      case TQ2_0, TQ1_0 -> {
        byte[] codes = new byte[256];
        if (type == GgmlType.TQ2_0) TernaryCodes.tq2_0(data, at, codes, 0);
        else TernaryCodes.tq1_0(data, at, codes, 0);
        float d = Float16.toFloat(data.getShort(at + type.blockBytes - 2));
        for (int i = 0; i < 256; i++) y[yo + i] = (codes[i] - 1) * d;
      }
      default -> throw new UnsupportedModelException(
          "tensor type " + type + " cannot be dequantised; supported: " + GgmlType.supportedNames());
    }
  }

  /** block_q8_0: fp16 d, int8 qs[32]; y = d * q. */
  private static void q8_0(ByteBuffer data, int at, float[] y, int yo) {
    float d = Float16.toFloat(data.getShort(at));
    for (int i = 0; i < 32; i++) y[yo + i] = d * data.get(at + 2 + i);
  }

  /**
   * block_q4_K: fp16 d, fp16 dmin, scales[12] (eight 6-bit scales and mins), qs[128] (4-bit).
   * Sub-block j of 32 elements: y = d * sc[j] * q - dmin * m[j].
   */
  private static void q4_K(ByteBuffer data, int at, float[] y, int yo) {
    float d = Float16.toFloat(data.getShort(at));
    float dmin = Float16.toFloat(data.getShort(at + 2));
    int scales = at + 4;
    int qs = at + 16;
    int[] scMin = new int[2];
    for (int j = 0, is = 0; j < 256; j += 64, is += 2) {
      scaleMinK4(data, scales, is, scMin);
      float d1 = d * scMin[0];
      float m1 = dmin * scMin[1];
      scaleMinK4(data, scales, is + 1, scMin);
      float d2 = d * scMin[0];
      float m2 = dmin * scMin[1];
      for (int l = 0; l < 32; l++) y[yo + j + l] = d1 * (data.get(qs + l) & 0xf) - m1;
      for (int l = 0; l < 32; l++) y[yo + j + 32 + l] = d2 * ((data.get(qs + l) & 0xff) >> 4) - m2;
      qs += 32;
    }
  }

  /** The 6-bit scale and min of sub-block j packed in the 12 scale bytes (ggml get_scale_min_k4). */
  private static void scaleMinK4(ByteBuffer data, int q, int j, int[] out) {
    if (j < 4) {
      out[0] = data.get(q + j) & 63;
      out[1] = data.get(q + j + 4) & 63;
    } else {
      out[0] = (data.get(q + j + 4) & 0xf) | (((data.get(q + j - 4) & 0xff) >> 6) << 4);
      out[1] = ((data.get(q + j + 4) & 0xff) >> 4) | (((data.get(q + j) & 0xff) >> 6) << 4);
    }
  }

  /**
   * block_q6_K: ql[128] (low 4 bits), qh[64] (high 2 bits), int8 scales[16], fp16 d. Each element
   * is d * scale[sub-block of 16] * (q - 32) with q a 6-bit value.
   */
  private static void q6_K(ByteBuffer data, int at, float[] y, int yo) {
    float d = Float16.toFloat(data.getShort(at + 208));
    int ql = at;
    int qh = at + 128;
    int sc = at + 192;
    for (int n = 0; n < 256; n += 128) {
      for (int l = 0; l < 32; l++) {
        int is = l / 16;
        int h = data.get(qh + l) & 0xff;
        int lo0 = data.get(ql + l) & 0xff;
        int lo32 = data.get(ql + l + 32) & 0xff;
        int q1 = ((lo0 & 0xf) | ((h & 3) << 4)) - 32;
        int q2 = ((lo32 & 0xf) | (((h >> 2) & 3) << 4)) - 32;
        int q3 = ((lo0 >> 4) | (((h >> 4) & 3) << 4)) - 32;
        int q4 = ((lo32 >> 4) | (((h >> 6) & 3) << 4)) - 32;
        y[yo + n + l] = d * data.get(sc + is) * q1;
        y[yo + n + l + 32] = d * data.get(sc + is + 2) * q2;
        y[yo + n + l + 64] = d * data.get(sc + is + 4) * q3;
        y[yo + n + l + 96] = d * data.get(sc + is + 6) * q4;
      }
      ql += 64;
      qh += 32;
      sc += 8;
    }
  }

  /** I2_S: 2-bit codes of the flat element stream, then the f32 tensor scale (FORMATS.md 4.5). */
  private static void i2s(ByteBuffer data, long firstElement, int n, float[] dst, int dstOffset) {
    float scale = data.getFloat(data.limit() - GgmlType.I2_S_TRAILER_BYTES);
    for (int i = 0; i < n; i++) {
      dst[dstOffset + i] = (TernaryCodes.i2sCode(data, firstElement + i) - 1) * scale;
    }
  }
}
