package org.bitnetspark.engine.kernel;

import org.bitnetspark.engine.tensor.TernaryMatrix;

/** A BitLinear layer: quantise the input as the {@link Compute} says, ternary matmul, rescale. */
public final class TernaryLinear implements Linear {
  private final TernaryMatrix w;

  public TernaryLinear(TernaryMatrix w) {
    this.w = w;
  }

  public TernaryMatrix matrix() {
    return w;
  }

  @Override
  public int rows() {
    return w.rows();
  }

  @Override
  public int cols() {
    return w.cols();
  }

  @Override
  public long residentBytes() {
    return w.residentBytes();
  }

  @Override
  public String describe() {
    return "ternary(" + w.sourceType() + ") " + w.rows() + "x" + w.cols();
  }

  @Override
  public void forward(float[] x, int batch, float[] out, Compute compute) {
    TernaryKernel kernel = compute.kernel();
    if (compute.activationQuant() == ActivationQuant.NONE) {
      compute.parallel().forRows(w.rows(), (s, e) -> kernel.matmulFloat(w, x, batch, out, s, e));
    } else {
      QuantizedActivations qa = compute.scratch();
      qa.quantize(compute.activationQuant(), x, batch, w.cols(), compute.parallel());
      prepare(w, qa, kernel);
      int unit = rowUnit(w);
      compute.parallel().forRows(w.rows() / unit, rowsPerHandOff(unit),
          (s, e) -> kernel.matmul(w, qa, out, s * unit, e * unit));
    }
    scaleOutput(out, batch);
  }

  /** Tables the kernel reads for this matrix's layout, built before the rows are split across threads. */
  private static void prepare(TernaryMatrix w, QuantizedActivations qa, TernaryKernel kernel) {
    if (w.layout().rowBlocks() && kernel.readsLookupTables()) qa.prepareLookupTables();
  }

  /** Threads split a row-block matrix at block boundaries, so that no block is computed twice. */
  private static int rowUnit(TernaryMatrix w) {
    return w.layout().blockRows();
  }

  /** The fewest units worth a hand-off: {@link ParallelRows#MIN_MATRIX_ROWS} rows. */
  private static int rowsPerHandOff(int unit) {
    return Math.max(2, ParallelRows.MIN_MATRIX_ROWS / unit);
  }

  private void scaleOutput(float[] out, int batch) {
    float os = w.outputScale();
    if (os != 1f) {
      for (int i = 0, n = batch * w.rows(); i < n; i++) out[i] *= os;
    }
  }

  /**
   * Several matrices over one input (an attention block's q, k and v; an FFN's gate and up): the input is
   * quantised once, and one hand-off to the row threads covers the rows of all of them, laid end to end.
   * A decode step thus pays four quantisations and four hand-offs per layer instead of seven of each; at
   * two threads both are serial or waiting time. Results equal {@link #forward} on each matrix exactly.
   */
  static void forwardShared(TernaryLinear[] ws, float[] x, int batch, float[][] outs, Compute compute) {
    QuantizedActivations qa = compute.scratch();
    qa.quantize(compute.activationQuant(), x, batch, ws[0].cols(), compute.parallel());
    TernaryKernel kernel = compute.kernel();
    int unit = rowUnit(ws[0].w);
    for (TernaryLinear w : ws) {
      prepare(w.w, qa, kernel);
      if (rowUnit(w.w) != unit) unit = 1; // mixed layouts: any row boundary
    }
    int[] starts = new int[ws.length + 1];
    for (int i = 0; i < ws.length; i++) starts[i + 1] = starts[i] + ws[i].rows();
    int u = unit;
    compute.parallel().forRows(starts[ws.length] / u, rowsPerHandOff(u), (s, e) -> {
      for (int i = 0; i < ws.length; i++) {
        int from = Math.max(s * u, starts[i]);
        int to = Math.min(e * u, starts[i + 1]);
        if (from < to) kernel.matmul(ws[i].w, qa, outs[i], from - starts[i], to - starts[i]);
      }
    });
    for (int i = 0; i < ws.length; i++) ws[i].scaleOutput(outs[i], batch);
  }
}
