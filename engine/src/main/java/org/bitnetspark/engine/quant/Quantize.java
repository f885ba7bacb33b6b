package org.bitnetspark.engine.quant;

import java.nio.ByteBuffer;

/**
 * Encoders for the block formats the engine writes ({@code synth}, converted models, test
 * fixtures): the inverse of {@link TernaryCodes} and {@link Dequantize}, following llama.cpp's
 * {@code quantize_row_*_ref} (docs/FORMATS.md section 4). Ternary encoders take codes 0/1/2
 * (weights -1/0/+1) in natural element order.
 */
public final class Quantize {
  private Quantize() {}

  /** One TQ2_0 block: 64 bytes of 2-bit codes, then fp16 d. */
  public static void tq2_0(byte[] codes, int off, float d, ByteBuffer out) {
    for (int j = 0; j < 2; j++) {
      for (int m = 0; m < 32; m++) {
        int b = 0;
        for (int l = 0; l < 4; l++) b |= codes[off + 128 * j + 32 * l + m] << (2 * l);
        out.put((byte) b);
      }
    }
    out.putShort(Float16.fromFloat(d));
  }

  /** One TQ1_0 block: 48 bytes of 5 trits, 4 bytes of 4 trits, fp16 d; bytes are ceil(N*256/243). */
  public static void tq1_0(byte[] codes, int off, float d, ByteBuffer out) {
    for (int m = 0; m < 32; m++) out.put(packTrits(codes, off + m, 32, 5));
    for (int m = 0; m < 16; m++) out.put(packTrits(codes, off + 160 + m, 16, 5));
    for (int m = 0; m < 4; m++) out.put(packTrits(codes, off + 240 + m, 4, 4));
    out.putShort(Float16.fromFloat(d));
  }

  /** Digits n = 0.. of the byte are codes[first + n*stride], the first the most significant. */
  private static byte packTrits(byte[] codes, int first, int stride, int digits) {
    int n = 0;
    for (int i = 0; i < digits; i++) n = n * 3 + codes[first + i * stride];
    for (int i = digits; i < 5; i++) n *= 3; // 4-trit bytes sit in the top digit positions
    return (byte) ((n * 256 + 242) / 243);
  }

  /** An I2_S tensor: codes of the flat element stream, 128 per 32 bytes (shift 6 - 2*(j/32)), scale, 28 zeros. */
  public static void i2s(byte[] codes, int n, float scale, ByteBuffer out) {
    for (int g = 0; g < n / 128; g++) {
      for (int m = 0; m < 32; m++) {
        int b = 0;
        for (int l = 0; l < 4; l++) b |= codes[g * 128 + 32 * l + m] << (6 - 2 * l);
        out.put((byte) b);
      }
    }
    out.putFloat(scale);
    for (int i = 0; i < 28; i++) out.put((byte) 0);
  }

  /** One Q8_0 block of 32 values: fp16 d = max|x|/127, q = round(x/d) (half away from zero, as roundf). */
  public static void q8_0(float[] x, int off, ByteBuffer out) {
    short[] q = new short[32];
    out.putShort(Float16.fromFloat(q8_0(x, off, q, 0)));
    for (int i = 0; i < 32; i++) out.put((byte) q[i]);
  }

  /**
   * One Q8_0 block of {@code x[off, off+32)} into {@code q[qOff, qOff+32)}, as ggml's
   * {@code quantize_row_q8_0_ref}: the values are divided by the unrounded d = max|x|/127 and rounded half
   * away from zero; the returned scale is d rounded to fp16, the one the block stores and its products use.
   */
  public static float q8_0(float[] x, int off, short[] q, int qOff) {
    float amax = 0;
    for (int i = 0; i < 32; i++) amax = Math.max(amax, Math.abs(x[off + i]));
    float d = amax / 127f;
    float id = d != 0 ? 1f / d : 0f;
    for (int i = 0; i < 32; i++) {
      float v = x[off + i] * id;
      q[qOff + i] = (short) (v < 0 ? -Math.round(-v) : Math.round(v));
    }
    return Float16.round(d);
  }
}
