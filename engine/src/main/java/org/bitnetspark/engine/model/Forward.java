package org.bitnetspark.engine.model;

/**
 * What schedulers and scorers run a model through: forward steps over batches, and the KV caches
 * those batches use. {@link ForwardPass} runs a whole model in this process; a model-parallel group
 * (org.bitnetspark.engine.parallel) runs it across processes behind the same interface, which is why
 * caches are created, copied and released through it rather than directly.
 */
public interface Forward {
  /** The model (for a model-parallel group: the part this process holds; config and tokenizer are whole). */
  BitNetModel model();

  /** Logits of the rows that asked for them, in row order: {@code [logitRows][vocab]} flattened. */
  float[] forward(Batch batch);

  /** A cache for one sequence of up to {@code capacity} positions. */
  KvCache newCache(KvCache.Type type, int capacity);

  /** Positions {@code 0..positions-1} of {@code source} into {@code target} (shared prefixes). */
  default void copyPrefix(KvCache target, KvCache source, int positions) {
    target.copyPrefixFrom(source, positions);
  }

  /** The cache's sequence is done; a model-parallel group frees its peers' copies. */
  default void release(KvCache cache) {}
}
