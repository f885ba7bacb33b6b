package org.bitnetspark.engine.kernel;

import org.bitnetspark.engine.tensor.TernaryMatrix;

/**
 * A batch of activation vectors quantised to int8: {@code q[b*cols + k]} with one multiplier
 * {@code d[b*blocksPerRow + k/blockSize]} per block, so that {@code x ≈ q * d}. Reused across
 * calls (the arrays grow as needed); not thread-safe.
 */
public final class QuantizedActivations {
  /**
   * Position k of every 128-value group of {@link #q16Lanes} holds the value at {@code LANE_ORDER[k]} of
   * the group: the order in which {@link VectorTernaryKernel} meets the weights when it reads a group's
   * 32 code bytes as 16 short lanes (bit pair p of lane j is the weight 2j + 32·(p mod 4) + p / 4, and the
   * lanes of pair p read positions 16p .. 16p+15).
   */
  static final int[] LANE_ORDER = new int[TernaryMatrix.GROUP];

  static {
    for (int p = 0; p < 8; p++) {
      for (int j = 0; j < 16; j++) LANE_ORDER[16 * p + j] = 2 * j + 32 * (p % 4) + p / 4;
    }
  }

  byte[] q = new byte[0];
  /**
   * q widened to 16 bits and <em>telescoped</em> for the vector kernel, in the order its path for this batch
   * reads: for two or more vectors {@link #q16}, natural order; for one (decoding) {@link #q16Lanes},
   * {@link #LANE_ORDER} within each whole 128-value group. {@link #quantize} fills only that one.
   *
   * <p>Telescoped: where a 16-bit lane of code bits meets activations t_0, t_1, ... for its bit pairs 0,
   * 1, ... (pair p is code_p = (c >>> 2p) - 4·(c >>> 2p+2)), the array holds t'_0 = t_0 and t'_p = t_p -
   * 4·t_(p-1). Then Σ_p code_p·t_p = Σ_p (c >>> 2p)·t'_p, an identity of integers and so also of 16-bit
   * lanes, which wrap: the kernel shifts each pair into place and multiplies, with no mask. |t'| <= 127
   * + 4·128 fits a short.
   */
  short[] q16 = new short[0];
  short[] q16Lanes = new short[0];
  float[] d = new float[0];
  /**
   * For the lookup kernels ({@link VectorLutKernel}, {@link VectorLut128Kernel}), per vector: for weight
   * pair j (columns 2j, 2j+1) and nibble code n = c0 + 3·c1, the sum v = (c0-1)·q[2j] + (c1-1)·q[2j+1] as
   * {@code 32·(high - 8) + low}, low in 0..31 and high in 0..15, at byte {@code 16·j + n} of the vector's
   * {@link #lookupTableBytes} (entries 9-15 of each 16 are never read). Both halves are unsigned, so that
   * byte lanes can sum several of each; {@link #LOOKUP_BIAS} per lookup is taken off at the end. Built on
   * request ({@link #prepareLookupTables}), once per quantisation.
   */
  byte[] lookupLow = new byte[0];
  /** What a lookup's {@code 32·high + low} exceeds its pair sum by: 32·8. */
  static final int LOOKUP_BIAS = 256;
  byte[] lookupHigh = new byte[0];
  private boolean lookupReady;
  int batch;
  int cols;
  int blockSize;

  public int batch() {
    return batch;
  }

  public int cols() {
    return cols;
  }

  public int blockSize() {
    return blockSize;
  }

  public byte q(int b, int k) {
    return q[b * cols + k];
  }

  public float d(int b, int block) {
    return d[b * (cols / blockSize) + block];
  }

  /**
   * Quantises {@code batch} rows of {@code x} ({@code cols} each) with the given scheme.
   *
   * <p>PER_TOKEN follows bitnet.cpp's {@code quantize_row_i8_s}: max|x| in double, floored at 1e-5;
   * {@code s = (float)(127/max)}; {@code q = clamp(rint(x*s), -128, 127)}; multiplier {@code 1/s}.
   *
   * <p>Q8K follows ggml's {@code quantize_row_q8_K_ref} per 256 values: the signed value of largest
   * magnitude {@code max} (first wins) gives {@code iscale = -127/max}, {@code q = min(127,
   * rint(iscale*x))} and multiplier {@code 1/iscale}; an all-zero block has multiplier 0.
   */
  public void quantize(ActivationQuant mode, float[] x, int batch, int cols) {
    quantize(mode, x, batch, cols, null);
  }

  /**
   * {@link #quantize(ActivationQuant, float[], int, int)} with the rows of a batch split across
   * {@code parallel}'s threads (null: this thread). Each row's scale, codes and widened codes are its own,
   * so the result does not depend on the split; a prefill's 128 rows were a serial stretch of every
   * projection at two threads.
   */
  void quantize(ActivationQuant mode, float[] x, int batch, int cols, ParallelRows parallel) {
    if (mode == ActivationQuant.NONE) throw new IllegalArgumentException("NONE has no quantised form");
    int block = mode == ActivationQuant.Q8K ? 256 : cols;
    if (cols % block != 0) {
      throw new IllegalArgumentException("q8k activation quantisation needs a row length that is a multiple of 256, got "
          + cols + "; use --activation-quant per-token");
    }
    this.batch = batch;
    this.cols = cols;
    this.blockSize = block;
    this.lookupReady = false;
    if (q.length < batch * cols) {
      q = new byte[batch * cols];
      q16 = new short[batch * cols];
      q16Lanes = new short[batch * cols];
    }
    if (d.length < batch * (cols / block)) d = new float[batch * (cols / block)];
    if (batch > 1) {
      ParallelRows.RowTask rows = (from, to) -> {
        for (int b = from; b < to; b++) {
          quantizeRow(mode, x, b);
          for (int i = b * cols; i < (b + 1) * cols; i++) q16[i] = q[i];
          // a widened half-group lane holds the codes of weights j, j+32, j+64, j+96
          telescope(q16, b * cols, b * cols + cols - cols % TernaryMatrix.GROUP, 32);
        }
      };
      if (parallel == null) rows.run(0, batch);
      else parallel.forRows(batch, ROWS_PER_HAND_OFF, rows);
      return;
    }
    quantizeRow(mode, x, 0);
    int group = TernaryMatrix.GROUP;
    int k = 0;
    for (; k + group <= cols; k += group) {
      for (int i = 0; i < group; i++) q16Lanes[k + i] = q[k + LANE_ORDER[i]];
    }
    for (; k < cols; k++) q16Lanes[k] = q[k];
    // a 16-bit code lane holds eight pairs, whose activations are 16 apart in lane order
    telescope(q16Lanes, 0, cols - cols % group, 16);
  }

  /** The fewest rows worth a hand-off: a row is a few microseconds of work, about one hand-off. */
  private static final int ROWS_PER_HAND_OFF = 8;

  /** Row b's blocks: codes into {@link #q}, multipliers into {@link #d}. */
  private void quantizeRow(ActivationQuant mode, float[] x, int b) {
    int blocks = cols / blockSize;
    for (int k = 0; k < blocks; k++) {
      int start = b * cols + k * blockSize;
      d[b * blocks + k] = mode == ActivationQuant.Q8K ? q8k(x, start, blockSize) : perToken(x, start, blockSize);
    }
  }

  /** Bytes of lookup table (each of low and high) per vector of {@code cols} values: 16 per weight pair. */
  static int lookupTableBytes(int cols) {
    return cols / 2 * 16;
  }

  boolean lookupTablesReady() {
    return lookupReady;
  }

  /**
   * Builds the {@link #lookupLow}/{@link #lookupHigh} tables of the current quantisation, unless built.
   * Call it before splitting rows across threads: the kernels only read the tables.
   */
  void prepareLookupTables() {
    if (lookupReady) return;
    int bytes = lookupTableBytes(cols);
    if (lookupLow.length < batch * bytes) {
      lookupLow = new byte[batch * bytes];
      lookupHigh = new byte[batch * bytes];
    }
    for (int b = 0; b < batch; b++) {
      for (int j = 0; j < cols / 2; j++) {
        int first = q[b * cols + 2 * j];
        int second = q[b * cols + 2 * j + 1];
        int at = b * bytes + 16 * j;
        for (int n = 0; n < 9; n++) {
          int v = (n % 3 - 1) * first + (n / 3 - 1) * second + LOOKUP_BIAS;
          lookupLow[at + n] = (byte) (v & 31);
          lookupHigh[at + n] = (byte) (v >> 5);
        }
      }
    }
    lookupReady = true;
  }

  /**
   * In each 128-value group of {@code t[from, to)}: the activations one lane meets are {@code stride}
   * apart, and each but the first loses four times the one before it (see {@link #q16}). Downwards, so
   * that every subtraction reads a value not yet changed.
   */
  private static void telescope(short[] t, int from, int to, int stride) {
    for (int k = from; k + TernaryMatrix.GROUP <= to; k += TernaryMatrix.GROUP) {
      for (int i = k + TernaryMatrix.GROUP - 1; i >= k + stride; i--) t[i] = (short) (t[i] - 4 * t[i - stride]);
    }
  }

  private float perToken(float[] x, int start, int n) {
    double max = 0;
    for (int i = 0; i < n; i++) max = Math.max(max, Math.abs((double) x[start + i]));
    max = Math.max(1e-5, max);
    float s = (float) (127 / max);
    for (int i = 0; i < n; i++) {
      float v = (float) Math.rint(x[start + i] * s);
      q[start + i] = (byte) Math.max(-128, Math.min(127, v));
    }
    return 1 / s;
  }

  private float q8k(float[] x, int start, int n) {
    float amax = 0;
    float max = 0;
    for (int i = 0; i < n; i++) {
      float ax = Math.abs(x[start + i]);
      if (ax > amax) {
        amax = ax;
        max = x[start + i];
      }
    }
    if (amax == 0) {
      for (int i = 0; i < n; i++) q[start + i] = 0;
      return 0;
    }
    float iscale = -127f / max;
    for (int i = 0; i < n; i++) {
      float v = (float) Math.rint(iscale * x[start + i]);
      q[start + i] = (byte) Math.min(127, v);
    }
    return 1 / iscale;
  }
}
