package org.bitnetspark.engine.kernel;

import org.bitnetspark.engine.quant.Float16;

/** Float dot products for dense matrices (embeddings, output heads); chosen by {@link Kernels}. */
public interface FloatDot {
  float dot(float[] a, int aOff, float[] b, int bOff, int n);

  /**
   * Two rows of {@code a} against {@code vectors} vectors of {@code b}: row j at {@code aOff + j·aStride}, vector v
   * at {@code bOff + v·bStride}, and {@code out[outOff + v·outStride + j] = dot(a, aOff + j·aStride, b, bOff +
   * v·bStride, n)}, each bit for bit, so that a row's logit does not depend on the batch it was computed in (a
   * batch's output head, where every chunk of a row or a vector that is loaded serves several products).
   */
  void dot2Rows(float[] a, int aOff, int aStride, float[] b, int bOff, int bStride, int vectors, int n, float[] out,
      int outOff, int outStride);

  /**
   * The dot product of halves, each decoded as {@link HalfDecoder#decodeScaled} does (finite halves
   * only), with {@code x}: bit for bit what {@link #dot} gives on the decoded row, without writing the
   * row out and reading it back (one vector of a batch: a decode step's output head).
   */
  float dotScaledHalves(short[] halves, int hOff, float[] x, int xOff, int n);

  /**
   * A row vector times a row-major matrix: {@code out[outOff + c] = Σ_r a[aOff + r] · m[mOff + r·stride + c]}
   * for {@code c < cols}, starting from 0 and adding the rows in order, each product rounded before it is
   * added (Java's {@code sum += x * y}, never fused). Every output is its own ordered sum, so any
   * implementation gives the same bits: attention's query against transposed keys, and its weights
   * against the values.
   */
  void vectorTimesMatrix(float[] a, int aOff, int rows, float[] m, int mOff, int stride, int cols, float[] out,
      int outOff);

  /**
   * {@link #vectorTimesMatrix} over a matrix of halves, each taken at its exact value: the bits of decoding
   * the matrix and calling {@code vectorTimesMatrix}, without writing the floats out and reading them back
   * (attention straight from an F16 KV cache). For finite halves and {@code |a| <= 65504} (the F16 cache
   * rounds the query and the attention weights to halves): the vector kernel multiplies {@code a·2^112} by
   * the halves' scaled bits ({@link HalfDecoder#decodeScaled}), the same real products.
   */
  void vectorTimesHalfMatrix(float[] a, int aOff, int rows, short[] m, int mOff, int stride, int cols, float[] out,
      int outOff);

  /** The reference: plain loops (the JIT cannot vectorise a float reduction: order matters). */
  FloatDot SCALAR = new FloatDot() {
    @Override
    public float dot(float[] a, int aOff, float[] b, int bOff, int n) {
      float sum = 0;
      for (int i = 0; i < n; i++) sum += a[aOff + i] * b[bOff + i];
      return sum;
    }

    @Override
    public void dot2Rows(float[] a, int aOff, int aStride, float[] b, int bOff, int bStride, int vectors, int n,
        float[] out, int outOff, int outStride) {
      for (int v = 0; v < vectors; v++) {
        for (int j = 0; j < 2; j++) out[outOff + v * outStride + j] = dot(a, aOff + j * aStride, b, bOff + v * bStride, n);
      }
    }

    @Override
    public float dotScaledHalves(short[] halves, int hOff, float[] x, int xOff, int n) {
      float sum = 0;
      for (int i = 0; i < n; i++) sum += Float16.toFloat(halves[hOff + i]) * HalfDecoder.SCALE * x[xOff + i];
      return sum;
    }

    @Override
    public void vectorTimesMatrix(float[] a, int aOff, int rows, float[] m, int mOff, int stride, int cols,
        float[] out, int outOff) {
      java.util.Arrays.fill(out, outOff, outOff + cols, 0f);
      for (int r = 0; r < rows; r++) {
        float ar = a[aOff + r];
        int row = mOff + r * stride;
        for (int c = 0; c < cols; c++) out[outOff + c] += ar * m[row + c];
      }
    }

    @Override
    public void vectorTimesHalfMatrix(float[] a, int aOff, int rows, short[] m, int mOff, int stride, int cols,
        float[] out, int outOff) {
      java.util.Arrays.fill(out, outOff, outOff + cols, 0f);
      for (int r = 0; r < rows; r++) {
        float ar = a[aOff + r];
        int row = mOff + r * stride;
        for (int c = 0; c < cols; c++) out[outOff + c] += ar * Float16.toFloat(m[row + c]);
      }
    }
  };
}
