package org.bitnetspark.engine.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.bitnetspark.engine.gguf.GgmlType;
import org.bitnetspark.engine.kernel.ActivationQuant;
import org.bitnetspark.engine.kernel.Compute;
import org.bitnetspark.engine.kernel.Kernels;
import org.bitnetspark.engine.kernel.ParallelRows;
import org.bitnetspark.engine.testing.TinyModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Attention keeps per-thread buffers, and one thread may run models of different head sizes in turn: a Spark
 * task thread scores with one model, then the next task brings another. A model's results must not depend on
 * what the thread ran before.
 */
class AttentionBufferReuseTest {
  @TempDir
  Path dir;

  /**
   * The default model (heads of 64) prefills 8 tokens, then the tiny synthetic one (heads of 32) prefills 16
   * on the same thread: its buffers are long enough in floats but laid out for 8 positions. Its logits must
   * be exactly those of a fresh thread (same kernels, same order of operations: no tolerance).
   */
  @Test
  void aModelsResultsDoNotDependOnTheModelTheThreadRanBefore() throws Exception {
    BitNetModel wide = ModelLoader.load("default");
    BitNetModel narrow = ModelLoader.load(TinyModels.synth(dir, GgmlType.TQ2_0, 5));
    assertEquals(64, wide.config().dim() / wide.config().heads());
    assertEquals(32, narrow.config().dim() / narrow.config().heads());
    float[] fresh = onNewThread(() -> prefill(narrow, 16));
    float[] afterWide = onNewThread(() -> {
      prefill(wide, 8);
      return prefill(narrow, 16);
    });
    assertArrayEquals(fresh, afterWide, 0f);
  }

  /** Logits of every position of a prefill of {@code n} tokens, on the calling thread alone. */
  private static float[] prefill(BitNetModel m, int n) {
    int[] tokens = new int[n];
    for (int i = 0; i < n; i++) tokens[i] = 1 + (i * 7919) % (m.config().vocabSize() - 1);
    Batch b = new Batch();
    b.addSequence(tokens, 0, KvCache.create(KvCache.Type.F32, m.config(), n), true);
    try (ParallelRows oneThread = new ParallelRows(1)) {
      return new ForwardPass(m, new Compute(Kernels.get(), oneThread, ActivationQuant.NONE)).forward(b);
    }
  }

  private static float[] onNewThread(Callable<float[]> work) throws Exception {
    ExecutorService thread = Executors.newSingleThreadExecutor();
    try {
      return thread.submit(work).get();
    } finally {
      thread.shutdown();
    }
  }
}
