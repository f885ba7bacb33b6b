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
      qa.quantize(compute.activationQuant(), x, batch, w.cols());
      compute.parallel().forRows(w.rows(), (s, e) -> kernel.matmul(w, qa, out, s, e));
    }
    float os = w.outputScale();
    if (os != 1f) {
      for (int i = 0, n = batch * w.rows(); i < n; i++) out[i] *= os;
    }
  }
}
