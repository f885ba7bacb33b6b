package org.bitnetspark.engine.model;

import org.bitnetspark.engine.kernel.Compute;
import org.bitnetspark.engine.kernel.Linear;

/**
 * One forward step of the BitNet graph over a {@link Batch} (docs/FORMATS.md section 3, llama.cpp
 * {@code build_bitnet}): embed, then per layer attention with a sub-norm before the output
 * projection and a gated FFN with a sub-norm before the down projection, then the final norm and
 * the head. Every projection sees the whole batch at once, so one pass over the weights serves
 * every row. Holds its buffers ("the wave of activations"); one instance per thread of control.
 */
public final class ForwardPass {
  private final BitNetModel model;
  private final ModelConfig c;
  private final Compute compute;
  private final Rope rope;
  private RunState s;

  public ForwardPass(BitNetModel model, Compute compute) {
    this.model = model;
    this.c = model.config();
    this.compute = compute;
    this.rope = new Rope(c.headDim(), c.ropeTheta(), model.ropeFreqFactors(), c.architecture().neoxRope);
  }

  public BitNetModel model() {
    return model;
  }

  /**
   * Runs the batch and returns the logits of the rows that asked for them, in row order:
   * {@code [logitRows][vocab]} flattened. Positions must be below each cache's capacity.
   */
  public float[] forward(Batch batch) {
    int n = batch.size();
    if (n == 0) return new float[0];
    for (int i = 0; i < n; i++) {
      int pos = batch.position(i);
      if (pos < 0 || pos >= batch.cache(i).capacity()) {
        throw new IllegalArgumentException("position " + pos + " is outside the KV cache (capacity "
            + batch.cache(i).capacity() + ")");
      }
      if (batch.token(i) < 0 || batch.token(i) >= c.vocabSize()) {
        throw new IllegalArgumentException("token id " + batch.token(i) + " is outside the vocabulary (" + c.vocabSize()
            + " tokens)");
      }
    }
    if (s == null || s.capacity < n) s = new RunState(c, Math.max(n, s == null ? 1 : s.capacity * 2));
    int dim = c.dim();
    for (int i = 0; i < n; i++) model.tokenEmbedding().row(batch.token(i), s.x, i * dim);
    for (int l = 0; l < c.layers(); l++) layer(l, model.layers().get(l), batch);
    return logits(batch);
  }

  private void layer(int l, LayerWeights w, Batch batch) {
    int n = batch.size();
    int dim = c.dim();
    int kvDim = c.kvDim();
    // attention
    RmsNorm.apply(s.x, w.attnNorm(), n, dim, c.rmsEps(), s.xb);
    project(w.wq(), s.xb, n, s.q, w.bq());
    project(w.wk(), s.xb, n, s.k, w.bk());
    project(w.wv(), s.xb, n, s.v, w.bv());
    for (int i = 0; i < n; i++) {
      rope.rotate(s.q, i * dim, c.heads(), batch.position(i));
      rope.rotate(s.k, i * kvDim, c.kvHeads(), batch.position(i));
      batch.cache(i).store(l, batch.position(i), s.k, i * kvDim, s.v, i * kvDim);
    }
    for (int i = 0; i < n; i++) attention(l, batch.cache(i), batch.position(i), i);
    if (w.attnSubNorm() != null) RmsNorm.apply(s.att, w.attnSubNorm(), n, dim, c.rmsEps(), s.att);
    project(w.wo(), s.att, n, s.xb, w.bo());
    add(s.x, s.xb, n * dim);
    // feed-forward
    RmsNorm.apply(s.x, w.ffnNorm(), n, dim, c.rmsEps(), s.xb);
    w.wGate().forward(s.xb, n, s.gate, compute);
    w.wUp().forward(s.xb, n, s.up, compute);
    activate(s.gate, s.up, n * c.ffnDim());
    if (w.ffnSubNorm() != null) RmsNorm.apply(s.gate, w.ffnSubNorm(), n, c.ffnDim(), c.rmsEps(), s.gate);
    w.wDown().forward(s.gate, n, s.xb, compute);
    add(s.x, s.xb, n * dim);
  }

  private void project(Linear w, float[] in, int n, float[] out, float[] bias) {
    w.forward(in, n, out, compute);
    if (bias != null) {
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < bias.length; j++) out[i * bias.length + j] += bias[j];
      }
    }
  }

  /** Causal softmax attention of row i over positions 0..pos of its cache; GQA maps heads to kv heads. */
  private void attention(int l, KvCache cache, int pos, int row) {
    int hd = c.headDim();
    int group = c.heads() / c.kvHeads();
    float scale = (float) (1.0 / Math.sqrt(hd));
    float[] scores = s.scores(pos + 1);
    java.util.Arrays.fill(s.att, row * c.dim(), (row + 1) * c.dim(), 0f);
    for (int h = 0; h < c.heads(); h++) {
      int qOff = row * c.dim() + h * hd;
      int kvOff = (h / group) * hd;
      cache.roundQuery(s.q, qOff, hd);
      float max = Float.NEGATIVE_INFINITY;
      for (int t = 0; t <= pos; t++) {
        scores[t] = cache.dotKey(l, t, kvOff, s.q, qOff, hd) * scale;
        max = Math.max(max, scores[t]);
      }
      double sum = 0;
      for (int t = 0; t <= pos; t++) {
        scores[t] = (float) Math.exp(scores[t] - max);
        sum += scores[t];
      }
      float inv = (float) (1.0 / sum);
      for (int t = 0; t <= pos; t++) {
        cache.addValue(l, t, kvOff, cache.roundWeight(scores[t] * inv), s.att, qOff, hd);
      }
    }
  }

  private void activate(float[] gate, float[] up, int n) {
    if (c.architecture().ffnActivation == Architecture.FfnActivation.SILU) {
      for (int i = 0; i < n; i++) gate[i] = gate[i] / (1f + (float) Math.exp(-gate[i])) * up[i];
    } else {
      for (int i = 0; i < n; i++) {
        float r = Math.max(0f, gate[i]);
        gate[i] = r * r * up[i];
      }
    }
  }

  private static void add(float[] x, float[] y, int n) {
    for (int i = 0; i < n; i++) x[i] += y[i];
  }

  private float[] logits(Batch batch) {
    int dim = c.dim();
    int rows = 0;
    for (int i = 0; i < batch.size(); i++) {
      if (batch.wantsLogits(i)) System.arraycopy(s.x, i * dim, s.xb, rows++ * dim, dim);
    }
    if (rows == 0) return new float[0];
    RmsNorm.apply(s.xb, model.outputNorm(), rows, dim, c.rmsEps(), s.xb);
    float[] out = new float[rows * c.vocabSize()];
    model.output().forward(s.xb, rows, out, compute);
    return out;
  }

  /** The buffers of one step, sized for {@code capacity} rows. */
  private static final class RunState {
    final int capacity;
    final float[] x; // [n][dim] residual stream
    final float[] xb; // [n][dim] normed input / projection output
    final float[] q; // [n][dim]
    final float[] k; // [n][kvDim]
    final float[] v; // [n][kvDim]
    final float[] att; // [n][dim] attention output
    final float[] gate; // [n][ffnDim]
    final float[] up; // [n][ffnDim]
    private float[] scores = new float[256];

    RunState(ModelConfig c, int capacity) {
      this.capacity = capacity;
      x = new float[capacity * c.dim()];
      xb = new float[capacity * c.dim()];
      q = new float[capacity * c.dim()];
      k = new float[capacity * c.kvDim()];
      v = new float[capacity * c.kvDim()];
      att = new float[capacity * c.dim()];
      gate = new float[capacity * c.ffnDim()];
      up = new float[capacity * c.ffnDim()];
    }

    float[] scores(int n) {
      if (scores.length < n) scores = new float[Math.max(n, scores.length * 2)];
      return scores;
    }
  }
}
