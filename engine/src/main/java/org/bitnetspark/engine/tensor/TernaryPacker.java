package org.bitnetspark.engine.tensor;

import java.nio.ByteBuffer;
import java.util.Optional;
import org.bitnetspark.engine.error.ModelFormatException;
import org.bitnetspark.engine.gguf.GgmlType;
import org.bitnetspark.engine.gguf.TensorInfo;
import org.bitnetspark.engine.quant.Dequantize;
import org.bitnetspark.engine.quant.Float16;
import org.bitnetspark.engine.quant.TernaryCodes;

/**
 * Repacks a ternary weight tensor from its file layout into {@link TernaryMatrix}, once, at load,
 * a row at a time so that no float copy of the matrix ever exists.
 */
public final class TernaryPacker {
  private TernaryPacker() {}

  /**
   * Packs the tensor, or returns empty for a float tensor that is not ternary (some value is not
   * -s, 0 or +s for one s), which then stays a dense float matrix.
   *
   * @param uri the file, for error messages
   * @param outputScale llama.cpp's separate {@code .scale} tensor value, or 1
   */
  public static Optional<TernaryMatrix> pack(String uri, TensorInfo t, ByteBuffer data, float outputScale) {
    int rows = Math.toIntExact(t.rows());
    int cols = Math.toIntExact(t.rowLength());
    if (cols % TernaryMatrix.GROUP != 0) {
      if (t.type().isTernary()) {
        throw new ModelFormatException(uri + ": ternary tensor '" + t.name() + "' has row length " + cols
            + ", not a multiple of " + TernaryMatrix.GROUP);
      }
      return Optional.empty();
    }
    return switch (t.type()) {
      case TQ2_0 -> Optional.of(tq2_0(uri, t, data, rows, cols, outputScale));
      case TQ1_0 -> Optional.of(tq1_0(t, data, rows, cols, outputScale));
      case I2_S -> Optional.of(i2s(uri, t, data, rows, cols, outputScale));
      case F32, F16, BF16 -> fromFloats(t, data, rows, cols, outputScale);
      default -> Optional.empty();
    };
  }

  private static TernaryMatrix tq2_0(String uri, TensorInfo t, ByteBuffer data, int rows, int cols, float os) {
    int blocks = cols / TernaryCodes.QK;
    byte[] codes = new byte[rows * (cols / 4)];
    float[] scales = new float[rows * blocks];
    int at = 0;
    for (int r = 0; r < rows; r++) {
      for (int b = 0; b < blocks; b++, at += GgmlType.TQ2_0.blockBytes) {
        int dst = r * (cols / 4) + b * 64;
        data.get(at, codes, dst, 64);
        for (int i = dst; i < dst + 64; i++) {
          if ((codes[i] & (codes[i] >> 1) & 0x55) != 0) {
            throw new ModelFormatException(uri + ": tensor '" + t.name() + "' row " + r + " block " + b
                + " holds the 2-bit code 3, which TQ2_0 never writes (only 0, 1, 2): the file is corrupt");
          }
        }
        scales[r * blocks + b] = Float16.toFloat(data.getShort(at + 64));
      }
    }
    return withBlockScales(t, rows, cols, codes, scales, os);
  }

  private static TernaryMatrix tq1_0(TensorInfo t, ByteBuffer data, int rows, int cols, float os) {
    int blocks = cols / TernaryCodes.QK;
    byte[] codes = new byte[rows * (cols / 4)];
    float[] scales = new float[rows * blocks];
    byte[] natural = new byte[TernaryCodes.QK];
    int at = 0;
    for (int r = 0; r < rows; r++) {
      for (int b = 0; b < blocks; b++, at += GgmlType.TQ1_0.blockBytes) {
        TernaryCodes.tq1_0(data, at, natural, 0);
        TernaryMatrix.packRow(natural, 0, TernaryCodes.QK, codes, r * (cols / 4) + b * 64);
        scales[r * blocks + b] = Float16.toFloat(data.getShort(at + 52));
      }
    }
    return withBlockScales(t, rows, cols, codes, scales, os);
  }

  /**
   * A TQ matrix with its per-256 block scales, or with one scale per row when every block of each row
   * has the same scale, which is what BitNet files hold (the quantiser's block scale is the tensor's
   * absmean scale). The weights are the same either way; one scale per row lets a kernel sum a whole
   * row exactly in integers before scaling once, instead of once per block (the paper's per-token
   * formula, as bitnet.cpp computes it).
   */
  private static TernaryMatrix withBlockScales(TensorInfo t, int rows, int cols, byte[] codes, float[] scales, float os) {
    int blocks = cols / TernaryCodes.QK;
    for (int r = 0; r < rows; r++) {
      for (int b = 1; b < blocks; b++) {
        if (Float.floatToIntBits(scales[r * blocks + b]) != Float.floatToIntBits(scales[r * blocks])) {
          return new TernaryMatrix(t.name(), t.type(), rows, cols, codes, scales, TernaryCodes.QK, os);
        }
      }
    }
    float[] perRow = new float[rows];
    for (int r = 0; r < rows; r++) perRow[r] = scales[r * blocks];
    return new TernaryMatrix(t.name(), t.type(), rows, cols, codes, perRow, cols, os);
  }

  /** I2_S groups hold the same 128 elements per 32 bytes as ours, with the bit pairs in reverse order. */
  private static TernaryMatrix i2s(String uri, TensorInfo t, ByteBuffer data, int rows, int cols, float os) {
    int n = rows * (cols / 4);
    byte[] codes = new byte[n];
    for (int i = 0; i < n; i++) {
      int b = data.get(i) & 0xff;
      if ((b & (b >> 1) & 0x55) != 0) {
        throw new ModelFormatException(uri + ": tensor '" + t.name() + "' byte " + i
            + " holds the 2-bit code 3, which I2_S never writes: the file is corrupt");
      }
      codes[i] = (byte) ((b >> 6) | ((b >> 2) & 0x0c) | ((b << 2) & 0x30) | (b << 6));
    }
    float scale = data.getFloat(n);
    float[] scales = new float[rows];
    java.util.Arrays.fill(scales, scale);
    return new TernaryMatrix(t.name(), t.type(), rows, cols, codes, scales, cols, os);
  }

  /** A float tensor holding s·{-1,0,+1} (llama.cpp's fused-scale BitNet layout) becomes ternary. */
  private static Optional<TernaryMatrix> fromFloats(TensorInfo t, ByteBuffer data, int rows, int cols, float os) {
    float[] row = new float[cols];
    float scale = 0;
    for (int r = 0; r < rows; r++) {
      Dequantize.row(t.type(), data, r, cols, row, 0);
      for (float v : row) scale = Math.max(scale, Math.abs(v));
    }
    byte[] codes = new byte[rows * (cols / 4)];
    byte[] natural = new byte[cols];
    for (int r = 0; r < rows; r++) {
      Dequantize.row(t.type(), data, r, cols, row, 0);
      for (int k = 0; k < cols; k++) {
        float v = row[k];
        if (v == scale) natural[k] = 2;
        else if (v == -scale) natural[k] = 0;
        else if (v == 0) natural[k] = 1;
        else return Optional.empty();
      }
      TernaryMatrix.packRow(natural, 0, cols, codes, r * (cols / 4));
    }
    float[] scales = new float[rows];
    java.util.Arrays.fill(scales, scale);
    return Optional.of(new TernaryMatrix(t.name(), t.type(), rows, cols, codes, scales, cols, os));
  }
}
