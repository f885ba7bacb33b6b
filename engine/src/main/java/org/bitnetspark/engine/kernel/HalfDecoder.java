package org.bitnetspark.engine.kernel;

import org.bitnetspark.engine.quant.Float16;

/**
 * Converts a run of IEEE half floats (a tensor's halves, read by index: one array serves every
 * thread) to floats, exactly: the F16 embedding rows and output heads. Chosen by {@link Kernels}.
 */
public interface HalfDecoder {
  /** 2^-112: a finite half times this is a float whose bits are the half's, moved into place. */
  float SCALE = 0x1p-112f;

  /** 2^112, which undoes {@link #SCALE}: exact for every finite half's scaled value. */
  float UNSCALE = 0x1p112f;

  void decode(short[] src, int index, float[] dst, int dstOffset, int n);

  /**
   * Each half times {@link #SCALE}, exactly, for finite halves (infinities and NaNs come out wrong;
   * callers check): a half's exponent and mantissa become a float's with no rebiasing and no special
   * cases, so this is a shift and a mask per value. A dot product of these with inputs multiplied by
   * 2^112 is bit for bit the dot product of the halves with the inputs: every product is the same real
   * number.
   */
  void decodeScaled(short[] src, int index, float[] dst, int dstOffset, int n);

  /** The reference: one table lookup per value. */
  HalfDecoder SCALAR = new HalfDecoder() {
    @Override
    public void decode(short[] src, int index, float[] dst, int dstOffset, int n) {
      for (int i = 0; i < n; i++) dst[dstOffset + i] = Float16.toFloat(src[index + i]);
    }

    @Override
    public void decodeScaled(short[] src, int index, float[] dst, int dstOffset, int n) {
      for (int i = 0; i < n; i++) dst[dstOffset + i] = Float16.toFloat(src[index + i]) * SCALE;
    }
  };

  /** True when none of the halves is an infinity or a NaN. */
  static boolean allFinite(short[] src) {
    for (short h : src) {
      if ((h & 0x7c00) == 0x7c00) return false;
    }
    return true;
  }
}
