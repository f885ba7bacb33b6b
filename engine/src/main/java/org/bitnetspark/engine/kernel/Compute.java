package org.bitnetspark.engine.kernel;

/**
 * What a forward pass computes with: the kernel, the thread split and the activation scheme, plus
 * the quantisation scratch buffer. One per running forward pass; not thread-safe.
 */
public final class Compute {
  private final TernaryKernel kernel;
  private final ParallelRows parallel;
  private final ActivationQuant activationQuant;
  private final QuantizedActivations scratch = new QuantizedActivations();

  public Compute(TernaryKernel kernel, ParallelRows parallel, ActivationQuant activationQuant) {
    this.kernel = kernel;
    this.parallel = parallel;
    this.activationQuant = activationQuant;
  }

  public TernaryKernel kernel() {
    return kernel;
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
