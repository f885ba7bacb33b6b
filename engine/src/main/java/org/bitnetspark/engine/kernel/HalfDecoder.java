package org.bitnetspark.engine.kernel;

import java.nio.ByteBuffer;
import org.bitnetspark.engine.quant.Float16;

/**
 * Converts a run of IEEE half floats (little-endian, in a mapped tensor) to floats, exactly: the F16
 * embedding rows and output heads. Chosen by {@link Kernels}.
 */
public interface HalfDecoder {
  void decode(ByteBuffer src, int byteOffset, float[] dst, int dstOffset, int n);

  /** The reference: one table lookup per value. */
  HalfDecoder SCALAR = (src, byteOffset, dst, dstOffset, n) -> {
    for (int i = 0; i < n; i++) dst[dstOffset + i] = Float16.toFloat(src.getShort(byteOffset + 2 * i));
  };
}
