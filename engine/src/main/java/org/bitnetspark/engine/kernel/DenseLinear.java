package org.bitnetspark.engine.kernel;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.bitnetspark.engine.gguf.GgmlType;
import org.bitnetspark.engine.gguf.TensorInfo;
import org.bitnetspark.engine.quant.Dequantize;
import org.bitnetspark.engine.quant.Float16;
import org.bitnetspark.engine.quant.Quantize;

/**
 * A matrix in its file type (F32, F16, BF16, Q8_0, Q4_K, Q6_K), dequantised one row at a time: the
 * embedding table, the output head, and any projection that is not ternary. Like ggml, an F16 (BF16)
 * matrix multiplies an input rounded to F16 (BF16), and a Q8_0 matrix one quantised to Q8_0 blocks: the
 * reference logits depend on it (shared/data/reference/README.md, "lm_head").
 *
 * <p>F16 and Q8_0, the types an output head comes in, are copied once into a heap array of the file's
 * bytes (no more memory than the mapping they replace): the Vector API loads only from arrays on Java 17,
 * and a kernel that streams one array lets the CPU fetch the next rows while it computes, where copying
 * each row out of the mapping first took as long again as the products (700M shape, Q8_0 head). The
 * other types are read in place from the file.
 */
public final class DenseLinear implements Linear {
  private final TensorInfo info;
  private final int rows;
  private final int cols;
  /** The bytes rows are dequantised from: the file's, or for Q8_0 a little-endian view of {@code q8Blocks}. */
  private final ByteBuffer data;
  /** F16: the halves, row-major. */
  private final short[] halves;
  /** Q8_0: the blocks as stored, 34 bytes (fp16 scale, 32 int8) per 32 values, row-major. */
  private final byte[] q8Blocks;
  /**
   * F16 only: no infinities or NaNs, so rows decode by {@link HalfDecoder#decodeScaled}. Checked on the
   * first product, not at load: an embedding that is only looked up never pays for the scan (two threads
   * may both scan once; they find the same answer).
   */
  private volatile Boolean finiteHalves;

  public DenseLinear(TensorInfo info, ByteBuffer data) {
    this.info = info;
    this.rows = Math.toIntExact(info.rows());
    this.cols = Math.toIntExact(info.rowLength());
    ByteBuffer le = data.duplicate().clear().order(ByteOrder.LITTLE_ENDIAN);
    if (info.type() == GgmlType.F16) {
      halves = new short[Math.multiplyExact(rows, cols)];
      le.asShortBuffer().get(halves);
      q8Blocks = null;
      this.data = null;
    } else if (info.type() == GgmlType.Q8_0) {
      q8Blocks = new byte[Math.multiplyExact(rows, cols / Q8BlockDot.BLOCK * Q8BlockDot.BLOCK_BYTES)];
      le.get(q8Blocks);
      halves = null;
      this.data = ByteBuffer.wrap(q8Blocks).order(ByteOrder.LITTLE_ENDIAN);
    } else {
      halves = null;
      q8Blocks = null;
      this.data = data;
    }
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
    if (finite == null) finiteHalves = finite = HalfDecoder.allFinite(halves);
    return finite;
  }

  /** Row {@code r} as floats. */
  public void row(int r, float[] dst, int dstOffset) {
    if (halves != null) HalfDecoder.SCALAR.decode(halves, r * cols, dst, dstOffset, cols);
    else Dequantize.row(info.type(), data, r, cols, dst, dstOffset);
  }

  /**
   * F16: the input rounded to F16 (ggml's semantics); with finite halves the rows are decoded scaled by
   * 2^-112 (a shift and a mask per value instead of a conversion) and the input scaled by 2^112, which
   * gives every product, and so the result, bit for bit (F16 inputs are at most 65504: no overflow).
   */
  @Override
  public void forward(float[] x, int batch, float[] out, Compute compute) {
    if (q8Blocks != null) {
      forwardQ8(x, batch, out, compute);
      return;
    }
    float[] input = x;
    if (info.type() == GgmlType.F16 || info.type() == GgmlType.BF16) {
      input = new float[batch * cols];
      boolean f16 = info.type() == GgmlType.F16;
      float scale = f16 && finiteHalves() ? HalfDecoder.UNSCALE : 1f;
      for (int i = 0; i < input.length; i++) {
        input[i] = f16 ? Float16.round(x[i]) * scale : Float16.bf16ToFloat(Float16.floatToBf16(x[i]));
      }
    }
    float[] in = input;
    FloatDot dot = compute.floatDot();
    HalfDecoder half = halves != null ? compute.halfDecoder() : null;
    boolean scaled = half != null && finiteHalves();
    compute.parallel().forRows(rows, (start, end) -> {
      if (scaled && batch == 1) {
        // one vector: the row is decoded inside the product, never written out
        for (int r = start; r < end; r++) out[r] = dot.dotScaledHalves(halves, r * cols, in, 0, cols);
        return;
      }
      // two rows at a time, dequantised once and used by every vector of the batch
      float[] w = new float[2 * cols];
      int r = start;
      for (; r + 2 <= end; r += 2) {
        decodeRow(r, w, 0, scaled, half);
        decodeRow(r + 1, w, cols, scaled, half);
        dot.dot2Rows(w, 0, cols, in, 0, cols, batch, cols, out, r, rows);
      }
      if (r < end) {
        decodeRow(r, w, 0, scaled, half);
        for (int b = 0; b < batch; b++) out[b * rows + r] = dot.dot(w, 0, in, b * cols, cols);
      }
    });
  }

  /** Row {@code r} as floats, scaled by 2^-112 where the input is scaled up instead ({@link #forward}). */
  private void decodeRow(int r, float[] dst, int dstOffset, boolean scaled, HalfDecoder half) {
    if (scaled) half.decodeScaled(halves, r * cols, dst, dstOffset, cols);
    else if (half != null) half.decode(halves, r * cols, dst, dstOffset, cols);
    else row(r, dst, dstOffset);
  }

  /**
   * Q8_0, as ggml multiplies it: each input row quantised to Q8_0 blocks, then integer block dot products
   * on the weights' own bytes (no float row); a row's scales are decoded once for every vector of the batch.
   */
  private void forwardQ8(float[] x, int batch, float[] out, Compute compute) {
    int blocks = cols / Q8BlockDot.BLOCK;
    short[] aq = new short[batch * cols];
    float[] aScales = new float[batch * blocks];
    for (int i = 0; i < aScales.length; i++) {
      aScales[i] = Quantize.q8_0(x, i * Q8BlockDot.BLOCK, aq, i * Q8BlockDot.BLOCK);
    }
    Q8BlockDot dot = compute.q8Dot();
    int rowBytes = blocks * Q8BlockDot.BLOCK_BYTES;
    compute.parallel().forRows(rows, (start, end) -> {
      float[] wScales = new float[blocks];
      for (int r = start; r < end; r++) {
        int at = r * rowBytes;
        // absolute reads of the little-endian view: no shared position, thread-safe
        for (int b = 0; b < blocks; b++) wScales[b] = Float16.toFloat(data.getShort(at + b * Q8BlockDot.BLOCK_BYTES));
        for (int v = 0; v < batch; v++) {
          out[v * rows + r] = dot.dot(q8Blocks, at, wScales, aq, v * cols, aScales, v * blocks, blocks);
        }
      }
    });
  }
}
