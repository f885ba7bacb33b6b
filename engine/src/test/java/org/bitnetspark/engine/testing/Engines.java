package org.bitnetspark.engine.testing;

import org.bitnetspark.engine.kernel.ActivationQuant;
import org.bitnetspark.engine.kernel.Compute;
import org.bitnetspark.engine.kernel.ParallelRows;
import org.bitnetspark.engine.kernel.Kernels;
import org.bitnetspark.engine.model.Batch;
import org.bitnetspark.engine.model.BitNetModel;
import org.bitnetspark.engine.model.ForwardPass;
import org.bitnetspark.engine.model.KvCache;

/** Small helpers to run a model in tests. */
public final class Engines {
  private Engines() {}

  /** Two threads: the CI machine has two cores; results do not depend on the thread count. */
  private static final ParallelRows THREADS = new ParallelRows(2);

  public static ForwardPass forward(BitNetModel model, ActivationQuant aq) {
    return new ForwardPass(model, new Compute(Kernels.get(), THREADS, aq));
  }

  /** Logits of every position of {@code tokens}, decoded as one batch from an empty F32 cache. */
  public static float[] allLogits(BitNetModel model, ActivationQuant aq, int[] tokens) {
    KvCache cache = KvCache.create(KvCache.Type.F32, model.config(), model.config().contextLength());
    Batch b = new Batch();
    b.addSequence(tokens, 0, cache, true);
    return forward(model, aq).forward(b);
  }
}
