package org.bitnetspark.engine.cli;

import org.bitnetspark.engine.BitNetEngine;
import org.bitnetspark.engine.EngineOptions;
import org.bitnetspark.engine.kernel.ActivationQuant;
import org.bitnetspark.engine.model.KvCache;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Options of every command that runs the model. */
final class RunOptions {
  @Mixin
  ModelOption model;

  @Option(names = "--activation-quant", paramLabel = "MODE", defaultValue = "per-token",
      description = "Input quantisation of the ternary matmuls: per-token (int8, one absmax scale per token: the "
          + "BitNet b1.58 paper's scheme, how the real models were trained), q8k (int8 per 256 values: llama.cpp's "
          + "scheme, reproduces llama.cpp on TQ1_0/TQ2_0 files), none (float: reproduces llama.cpp on F32 files). "
          + "Default: ${DEFAULT-VALUE}.")
  String activationQuant;

  @Option(names = "--threads", paramLabel = "N", description = "Threads for matrix products (default: all cores).")
  Integer threads;

  @Option(names = "--kv-cache", paramLabel = "TYPE", defaultValue = "f16",
      description = "KV cache type: f16 (llama.cpp's default, half the memory) or f32 (exact). Default: ${DEFAULT-VALUE}.")
  String kvCache;

  EngineOptions engineOptions() {
    int t = threads == null ? Runtime.getRuntime().availableProcessors() : threads;
    return new EngineOptions(ActivationQuant.parse(activationQuant), t, KvCache.Type.parse(kvCache));
  }

  BitNetEngine openEngine() {
    EngineOptions options = engineOptions(); // options are checked before the model is read
    return BitNetEngine.open(model.model, options);
  }
}
