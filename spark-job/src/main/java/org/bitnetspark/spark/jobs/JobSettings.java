package org.bitnetspark.spark.jobs;

import java.io.Serializable;
import java.util.List;
import org.bitnetspark.engine.EngineOptions;
import org.bitnetspark.engine.generate.GenerationRequest;
import org.bitnetspark.engine.generate.SamplingParams;
import org.bitnetspark.engine.kernel.ActivationQuant;
import org.bitnetspark.engine.model.KvCache;
import org.bitnetspark.spark.model.ModelRef;

/**
 * Everything a task needs, checked on the driver and shipped in the task closure: plain values
 * only. Built by the job option classes; never holds a SparkSession.
 */
public record JobSettings(ModelRef model, String activationQuant, String kvCache, int threadsPerTask, int batchSize,
    int maxTokens, float temperature, int topK, float topP, float minP, float repeatPenalty, long seed,
    List<String> stopStrings, String promptOverflow, String perplexityMethod, int perplexityContext,
    int perplexityStride, EvalSettings eval) implements Serializable {

  public JobSettings {
    stopStrings = List.copyOf(stopStrings);
    GenerationRequest.PromptOverflow.parse(promptOverflow);
    if (eval == null) eval = EvalSettings.DEFAULT;
  }

  /** Settings of the generate and perplexity jobs (the evaluate job's own options at their defaults). */
  public JobSettings(ModelRef model, String activationQuant, String kvCache, int threadsPerTask, int batchSize,
      int maxTokens, float temperature, int topK, float topP, float minP, float repeatPenalty, long seed,
      List<String> stopStrings, String promptOverflow, String perplexityMethod, int perplexityContext,
      int perplexityStride) {
    this(model, activationQuant, kvCache, threadsPerTask, batchSize, maxTokens, temperature, topK, topP, minP,
        repeatPenalty, seed, stopStrings, promptOverflow, perplexityMethod, perplexityContext, perplexityStride,
        EvalSettings.DEFAULT);
  }

  public EngineOptions engineOptions() {
    return new EngineOptions(ActivationQuant.parse(activationQuant), threadsPerTask, KvCache.Type.parse(kvCache));
  }

  /** The job-wide sampling defaults with a given seed. */
  public SamplingParams sampling(long rowSeed) {
    return new SamplingParams(temperature, topK, topP, minP, repeatPenalty, 64, rowSeed);
  }

  /**
   * A row's seed from the job seed and the row id only, never the partition or the attempt, so a
   * retried task or another partitioning gives the same text (FNV-1a over the id's UTF-8, mixed).
   */
  public long rowSeed(String rowId) {
    long h = 0xcbf29ce484222325L;
    for (byte b : rowId.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
      h ^= b & 0xff;
      h *= 0x100000001b3L;
    }
    return new java.util.SplittableRandom(seed ^ h).nextLong();
  }
}
