package org.bitnetspark.engine.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.bitnetspark.engine.model.ModelPart.Range;
import org.junit.jupiter.api.Test;

/** Tensor shards of hand-checked shapes: heads, the kv heads they read (replicated under GQA), row slices. */
class ModelPartTest {
  private static ModelConfig config(int heads, int kvHeads, int vocab) {
    return new ModelConfig(Architecture.BITNET, 256, 768, 2, heads, kvHeads, vocab, 128, 1e-5f, 10000f);
  }

  @Test
  void shardsSplitHeadsRowsAndVocabulary() {
    ModelConfig c = config(8, 4, 1000);
    ModelPart p = ModelPart.tensorShard(c, 1, 4);
    assertEquals(new Range(2, 4), p.heads());
    assertEquals(new Range(1, 2), p.kvHeads()); // heads 2,3 read kv head 1 (group of 2)
    assertEquals(new Range(64, 128), p.dimRows());
    assertEquals(new Range(192, 384), p.ffnRows());
    assertEquals(new Range(250, 500), p.vocab());
    assertTrue(p.isTensorShard());
  }

  @Test
  void fewerKvHeadsThanShardsAreReplicated() {
    ModelConfig c = config(4, 1, 1000);
    for (int r = 0; r < 4; r++) {
      ModelPart p = ModelPart.tensorShard(c, r, 4);
      assertEquals(new Range(r, r + 1), p.heads());
      assertEquals(new Range(0, 1), p.kvHeads(), "every shard needs the single kv head");
    }
  }

  @Test
  void unevenSplitsCoverEveryIndexOnce() {
    ModelConfig c = config(8, 8, 32003);
    int vocab = 0;
    for (int r = 0; r < 3; r++) {
      ModelPart p = ModelPart.tensorShard(c, r, 3);
      assertEquals(vocab, p.vocab().start());
      vocab = p.vocab().end();
    }
    assertEquals(32003, vocab);
  }

  @Test
  void moreShardsThanHeadsIsAClearError() {
    Exception e = assertThrows(IllegalArgumentException.class, () -> ModelPart.tensorShard(config(4, 4, 100), 0, 8));
    assertTrue(e.getMessage().contains("tensor:8 needs at least 8 attention heads"), e.getMessage());
  }
}
