package org.bitnetspark.engine.kernel;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.ShortBuffer;
import org.bitnetspark.engine.gguf.GgmlType;
import org.bitnetspark.engine.gguf.TensorInfo;
import org.bitnetspark.engine.quant.Dequantize;
import org.bitnetspark.engine.quant.Float16;

/**
 * A matrix in its file type (F32, F16, BF16, Q8_0, Q4_K, Q6_K), read in place from the mapped file
 * and dequantised one row at a time: the embedding table, the output head, and any projection that is
 * not ternary. Like ggml, an F16 (BF16) matrix multiplies an input rounded to F16 (BF16): the
 * reference logits depend on it (shared/data/reference/README.md, "lm_head").
 */
public final class DenseLinear implements Linear {
  private final TensorInfo info;
  private final ByteBuffer data;
  private final int rows;
  private final int cols;
  /** F16: the halves, little-endian, read by absolute index (thread-safe); null for other types. */
  private final ShortBuffer halves;
  /**
   * F16 only: no infinities or NaNs, so rows decode by {@link HalfDecoder#decodeScaled}. Checked on the
   * first product, not at load: an embedding that is only looked up never pays for the scan (two threads
   * may both scan once; they find the same answer).
   */
  private volatile Boolean finiteHalves;

  public DenseLinear(TensorInfo info, ByteBuffer data) {
    this.info = info;
    this.data = data;
    this.rows = Math.toIntExact(info.rows());
    this.cols = Math.toIntExact(info.rowLength());
    this.halves = info.type() == GgmlType.F16 ? data.duplicate().clear().order(ByteOrder.LITTLE_ENDIAN).asShortBuffer() : null;
  }

  public GgmlType type() {
    return info.type();
  }

  @Override
  public int rows() {
    return rows;
  }

  @Override
  public int cols() {
    return cols;
  }

  @Override
  public long residentBytes() {
    return info.sizeBytes();
  }

  @Override
  public String describe() {
    return info.type() + " " + rows + "x" + cols;
  }

  private boolean finiteHalves() {
    Boolean finite = finiteHalves;
    if (finite == null) finiteHalves = finite = HalfDecoder.allFinite(halves, Math.multiplyExact(rows, cols));
    return finite;
  }

  /** Row {@code r} as floats. */
  public void row(int r, float[] dst, int dstOffset) {
    Dequantize.row(info.type(), data, r, cols, dst, dstOffset);
  }

  /**
   * F16: the input rounded to F16 (ggml's semantics); with finite halves the rows are decoded scaled by
   * 2^-112 (a shift and a mask per value instead of a conversion) and the input scaled by 2^112, which
   * gives every product, and so the result, bit for bit (F16 inputs are at most 65504: no overflow).
   */
  @Override
  public void forward(float[] x, int batch, float[] out, Compute compute) {
    float[] input = x;
    if (info.type() == GgmlType.F16 || info.type() == GgmlType.BF16) {
      input = new float[batch * cols];
      boolean f16 = info.type() == GgmlType.F16;
      float scale = f16 && finiteHalves() ? 1 / HalfDecoder.SCALE : 1f;
      for (int i = 0; i < input.length; i++) {
        input[i] = f16 ? Float16.round(x[i]) * scale : Float16.bf16ToFloat(Float16.floatToBf16(x[i]));
      }
    }
    float[] in = input;
    FloatDot dot = compute.floatDot();
    HalfDecoder half = info.type() == GgmlType.F16 ? compute.halfDecoder() : null;
    boolean scaled = half != null && finiteHalves();
    compute.parallel().forRows(rows, (start, end) -> {
      float[] w = new float[cols];
      for (int r = start; r < end; r++) {
        // dequantised once, used by every vector of the batch
        if (scaled) half.decodeScaled(halves, r * cols, w, 0, cols);
        else if (half != null) half.decode(halves, r * cols, w, 0, cols);
        else row(r, w, 0);
        for (int b = 0; b < batch; b++) out[b * rows + r] = dot.dot(w, 0, in, b * cols, cols);
      }
    });
  }
}
