package org.bitnetspark.engine;

import org.bitnetspark.engine.kernel.ActivationQuant;
import org.bitnetspark.engine.model.KvCache;

/**
 * How a model is run.
 *
 * @param activationQuant input quantisation of the ternary matmuls (default per-token: the paper's scheme)
 * @param threads threads for the matrix products (default: the available processors)
 * @param kvCache KV cache element type (default F16, llama.cpp's default: half the memory)
 */
public record EngineOptions(ActivationQuant activationQuant, int threads, KvCache.Type kvCache) {

  public static final ActivationQuant DEFAULT_ACTIVATION_QUANT = ActivationQuant.PER_TOKEN;
  public static final KvCache.Type DEFAULT_KV_CACHE = KvCache.Type.F16;

  public EngineOptions {
    if (threads < 1) throw new IllegalArgumentException("threads " + threads + " must be at least 1");
  }

  public static EngineOptions defaults() {
    return new EngineOptions(DEFAULT_ACTIVATION_QUANT, Runtime.getRuntime().availableProcessors(), DEFAULT_KV_CACHE);
  }
}
