package org.bitnetspark.engine.kernel;

/**
 * What a forward pass computes with: the kernel, the thread split and the activation scheme, plus
 * the quantisation scratch buffer. One per running forward pass; not thread-safe.
 */
public final class Compute {
  private final TernaryKernel kernel;
  private final FloatDot floatDot;
  private final HalfDecoder halfDecoder;
  private final Q8BlockDot q8Dot;
  private final ExpKernel expKernel;
  private final ParallelRows parallel;
  private final ActivationQuant activationQuant;
  private final QuantizedActivations scratch = new QuantizedActivations();

  public Compute(Kernels kernels, ParallelRows parallel, ActivationQuant activationQuant) {
    this.kernel = kernels.ternary();
    this.floatDot = kernels.floatDot();
    this.halfDecoder = kernels.halfDecoder();
    this.q8Dot = kernels.q8Dot();
    this.expKernel = kernels.expKernel();
    this.parallel = parallel;
    this.activationQuant = activationQuant;
  }

  public TernaryKernel kernel() {
    return kernel;
  }

  public FloatDot floatDot() {
    return floatDot;
  }

  public HalfDecoder halfDecoder() {
    return halfDecoder;
  }

  public Q8BlockDot q8Dot() {
    return q8Dot;
  }

  public ExpKernel expKernel() {
    return expKernel;
  }

  public ParallelRows parallel() {
    return parallel;
  }

  public ActivationQuant activationQuant() {
    return activationQuant;
  }

  QuantizedActivations scratch() {
    return scratch;
  }
}
