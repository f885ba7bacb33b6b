package org.bitnetspark.engine.testing;

import org.bitnetspark.engine.kernel.ActivationQuant;
import org.bitnetspark.engine.kernel.Compute;
import org.bitnetspark.engine.kernel.ParallelRows;
import org.bitnetspark.engine.kernel.ScalarTernaryKernel;
import org.bitnetspark.engine.model.Batch;
import org.bitnetspark.engine.model.BitNetModel;
import org.bitnetspark.engine.model.ForwardPass;
import org.bitnetspark.engine.model.KvCache;

/** Small helpers to run a model in tests. */
public final class Engines {
  private Engines() {}

  public static ForwardPass forward(BitNetModel model, ActivationQuant aq) {
    return new ForwardPass(model, new Compute(new ScalarTernaryKernel(), new ParallelRows(1), aq));
  }

  /** Logits of every position of {@code tokens}, decoded as one batch from an empty F32 cache. */
  public static float[] allLogits(BitNetModel model, ActivationQuant aq, int[] tokens) {
    KvCache cache = KvCache.create(KvCache.Type.F32, model.config(), model.config().contextLength());
    Batch b = new Batch();
    b.addSequence(tokens, 0, cache, true);
    return forward(model, aq).forward(b);
  }
}
