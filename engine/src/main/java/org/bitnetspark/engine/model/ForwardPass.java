package org.bitnetspark.engine.model;

import org.bitnetspark.engine.kernel.Compute;
import org.bitnetspark.engine.kernel.FloatDot;
import org.bitnetspark.engine.kernel.HalfDecoder;
import org.bitnetspark.engine.kernel.Linear;

/**
 * One forward step of the BitNet graph over a {@link Batch} (docs/FORMATS.md section 3, llama.cpp
 * {@code build_bitnet}): embed, then per layer attention with a sub-norm before the output
 * projection and a gated FFN with a sub-norm before the down projection, then the final norm and
 * the head. Every projection sees the whole batch at once, so one pass over the weights serves
 * every row. Holds its buffers ("the wave of activations"); one instance per thread of control.
 */
public final class ForwardPass implements Forward {
  /** Per thread, reused across layers and steps: it grows to the longest context the thread has seen. */
  private static final ThreadLocal<DecodedHead> DECODED_HEAD = ThreadLocal.withInitial(DecodedHead::new);

  private final BitNetModel model;
  private final ModelConfig c;
  private final ModelPart part;
  private final Compute compute;
  private final Rope rope;
  private final TensorExchange exchange; // null unless this is a tensor shard
  private final Shapes shapes;
  private RunState s;
  private StepProfile profile; // null: no timing

  /** Runs the whole model, or one pipeline stage's layers. */
  public ForwardPass(BitNetModel model, Compute compute) {
    this(model, compute, null);
  }

  /** Runs one tensor shard; {@code exchange} reaches the other shards (null for a whole model or a stage). */
  public ForwardPass(BitNetModel model, Compute compute, TensorExchange exchange) {
    this.model = model;
    this.c = model.config();
    this.part = model.part();
    this.compute = compute;
    this.rope = new Rope(c.headDim(), c.ropeTheta(), model.ropeFreqFactors(), c.architecture().neoxRope);
    if (part.isTensorShard() != (exchange != null)) {
      throw new IllegalArgumentException("a tensor shard needs an exchange with its peers, and only a shard has one");
    }
    this.exchange = exchange;
    this.shapes = new Shapes(c, part);
  }

  /** Times the stages of every following step into {@code profile} (null stops timing). */
  public void profile(StepProfile profile) {
    this.profile = profile;
  }

  private void mark() {
    if (profile != null) profile.start();
  }

  private void charge(StepProfile.Stage stage) {
    if (profile != null) profile.charge(stage);
  }

  @Override
  public BitNetModel model() {
    return model;
  }

  @Override
  public KvCache newCache(KvCache.Type type, int capacity) {
    return KvCache.create(type, c, capacity, part.layers().size(), shapes.kvWidth);
  }

  /**
   * Runs the batch and returns the logits of the rows that asked for them, in row order:
   * {@code [logitRows][vocab]} flattened. Positions must be below each cache's capacity. A tensor
   * shard returns the logits on rank 0 and an empty array elsewhere.
   */
  @Override
  public float[] forward(Batch batch) {
    if (part.kind() == ModelPart.Kind.PIPELINE_STAGE) {
      throw new IllegalStateException("a pipeline stage runs through its group's controller, not alone");
    }
    validate(batch);
    if (batch.size() == 0) return new float[0];
    mark();
    embed(batch);
    charge(StepProfile.Stage.EMBED);
    runLayers(batch);
    return logits(batch);
  }

  /** Checks every row's token and position, before any of it runs. */
  public void validate(Batch batch) {
    for (int i = 0; i < batch.size(); i++) {
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
  }

  /**
   * The residual stream {@code [rows][dim]} for a batch of {@code rows}: a pipeline stage fills it with
   * its upstream stage's output before {@link #runLayers}, and reads it after.
   */
  public float[] hidden(int rows) {
    if (s == null || s.capacity < rows) s = new RunState(shapes, Math.max(rows, s == null ? 1 : s.capacity * 2));
    return s.x;
  }

  /** The token embeddings of the batch into the residual stream (a tensor shard looks up its vocabulary rows). */
  public void embed(Batch batch) {
    int n = batch.size();
    int dim = c.dim();
    float[] x = hidden(n);
    if (exchange == null) {
      for (int i = 0; i < n; i++) model.tokenEmbedding().row(batch.token(i), x, i * dim);
      return;
    }
    // each shard looks up the rows whose token is in its vocabulary slice; all-gathered in row order
    int mine = 0;
    for (int i = 0; i < n; i++) {
      if (shapes.vocabOwner(batch.token(i)) == part.rank()) {
        model.tokenEmbedding().row(batch.token(i) - part.vocab().start(), s.xb, mine++ * dim);
      }
    }
    float[][] rows = exchange.allGather(s.xb, mine * dim);
    int[] next = new int[exchange.size()];
    for (int i = 0; i < n; i++) {
      int owner = shapes.vocabOwner(batch.token(i));
      System.arraycopy(rows[owner], next[owner]++ * dim, x, i * dim, dim);
    }
  }

  /** This part's layers over the residual stream. */
  public void runLayers(Batch batch) {
    hidden(batch.size());
    for (int l = 0; l < model.layers().size(); l++) layer(l, model.layers().get(l), batch);
  }

  private void layer(int l, LayerWeights w, Batch batch) {
    int n = batch.size();
    int dim = c.dim();
    int hd = c.headDim();
    Shapes z = shapes;
    // attention: this part's query heads, and the kv heads they read
    mark();
    RmsNorm.apply(s.x, w.attnNorm(), n, dim, c.rmsEps(), s.xb, compute.parallel());
    charge(StepProfile.Stage.NORMS);
    Linear.forwardAll(new Linear[] {w.wq(), w.wk(), w.wv()}, s.xb, n, new float[][] {s.q, s.k, s.v}, compute);
    addBias(s.q, n, w.bq());
    addBias(s.k, n, w.bk());
    addBias(s.v, n, w.bv());
    charge(StepProfile.Stage.QKV);
    // rows are independent here, and each writes its own cache position
    compute.parallel().forRows(n, 8, (from, to) -> {
      for (int i = from; i < to; i++) {
        rope.rotate(s.q, i * z.qWidth, z.qWidth / hd, batch.position(i));
        rope.rotate(s.k, i * z.kvWidth, z.kvWidth / hd, batch.position(i));
        batch.cache(i).store(l, batch.position(i), s.k, i * z.kvWidth, s.v, i * z.kvWidth);
      }
    });
    int heads = z.heads;
    int[] order = attentionOrder(batch, heads);
    compute.parallel().forRows(heads * n, 2, (start, end) -> {
      DecodedHead kv = DECODED_HEAD.get();
      kv.start(maxPosition(batch) + 1);
      for (int item = start; item < end; item++) {
        int i = order[item] / heads;
        attention(l, batch.cache(i), batch.position(i), i, order[item] % heads, kv);
      }
    });
    charge(StepProfile.Stage.ATTENTION);
    // the sub-norm and the output projection's activation absmax need whole rows: gather them first
    float[] att = gathered(s.attLocal, n, z.qBounds, s.att);
    if (w.attnSubNorm() != null) RmsNorm.apply(att, w.attnSubNorm(), n, dim, c.rmsEps(), att, compute.parallel());
    charge(StepProfile.Stage.NORMS);
    project(w.wo(), att, n, s.outLocal, w.bo());
    charge(StepProfile.Stage.OUTPUT_PROJECTION);
    add(s.x, gathered(s.outLocal, n, z.dimBounds, s.out), n * dim);
    // feed-forward: this part's slice of the hidden width
    RmsNorm.apply(s.x, w.ffnNorm(), n, dim, c.rmsEps(), s.xb, compute.parallel());
    charge(StepProfile.Stage.NORMS);
    Linear.forwardAll(new Linear[] {w.wGate(), w.wUp()}, s.xb, n, new float[][] {s.gateLocal, s.up}, compute);
    charge(StepProfile.Stage.FFN_GATE_UP);
    activate(s.gateLocal, s.up, n * z.ffnWidth);
    float[] gate = gathered(s.gateLocal, n, z.ffnBounds, s.gate);
    if (w.ffnSubNorm() != null) RmsNorm.apply(gate, w.ffnSubNorm(), n, c.ffnDim(), c.rmsEps(), gate, compute.parallel());
    charge(StepProfile.Stage.NORMS);
    w.wDown().forward(gate, n, s.outLocal, compute);
    charge(StepProfile.Stage.FFN_DOWN);
    add(s.x, gathered(s.outLocal, n, z.dimBounds, s.out), n * dim);
    charge(StepProfile.Stage.OTHER);
  }

  /**
   * A tensor shard's columns {@code [bounds[rank], bounds[rank+1])} of an {@code [n][width]} matrix,
   * all-gathered into {@code full}; for a whole model {@code local} already is the full matrix.
   */
  private float[] gathered(float[] local, int n, int[] bounds, float[] full) {
    if (exchange == null) return local;
    int width = bounds[bounds.length - 1];
    int rank = part.rank();
    float[][] parts = exchange.allGather(local, n * (bounds[rank + 1] - bounds[rank]));
    for (int r = 0; r < parts.length; r++) {
      int w = bounds[r + 1] - bounds[r];
      for (int i = 0; i < n; i++) System.arraycopy(parts[r], i * w, full, i * width + bounds[r], w);
    }
    return full;
  }

  private void project(Linear w, float[] in, int n, float[] out, float[] bias) {
    w.forward(in, n, out, compute);
    addBias(out, n, bias);
  }

  private static void addBias(float[] out, int n, float[] bias) {
    if (bias != null) {
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < bias.length; j++) out[i * bias.length + j] += bias[j];
      }
    }
  }

  /**
   * The (row, head) pairs, as {@code row·heads + head}, in the order attention runs them: for each run of
   * consecutive rows that share a cache (a prompt's rows), head by head, the run's rows in order. A thread's
   * decoded kv head then carries on from row to row of a run (a prefill decodes each position once per kv
   * head), and the query heads of a GQA group follow each other, so a decode batch (a run per row) decodes
   * each kv head once per row rather than once per query head. Threads take contiguous chunks: whole heads of
   * a prefill, each the same mix of short and long rows, or whole rows of a decode batch. Also notes each run's
   * last position ({@code runLast}), so that a thread decodes a prefill's positions in one pass per kv head.
   */
  private int[] attentionOrder(Batch batch, int heads) {
    int[] order = s.attentionOrder;
    int n = batch.size();
    int k = 0;
    for (int runStart = 0, runEnd; runStart < n; runStart = runEnd) {
      runEnd = runStart + 1;
      while (runEnd < n && batch.cache(runEnd) == batch.cache(runStart)) runEnd++;
      int last = 0;
      for (int i = runStart; i < runEnd; i++) last = Math.max(last, batch.position(i));
      for (int i = runStart; i < runEnd; i++) {
        s.runLast[i] = last;
        s.runShared[i] = runEnd - runStart > 1;
      }
      for (int h = 0; h < heads; h++) {
        for (int i = runStart; i < runEnd; i++) order[k++] = i * heads + h;
      }
    }
    return order;
  }

  private static int maxPosition(Batch batch) {
    int max = 0;
    for (int i = 0; i < batch.size(); i++) max = Math.max(max, batch.position(i));
    return max;
  }

  /**
   * One kv head of one cache and layer as floats, decoded once for all the query rows that read it: a
   * prefill's rows all read the same cache, and converting each key and value again for every row cost
   * more than the products (F16 cache). The first row of a run decodes the positions of the whole run, all
   * stored before attention starts, in one pass per kv head. Keys are transposed ({@code keys[i*capacity + t]}),
   * so that a query's scores are the query times a matrix, as the weighted sum of values is
   * ({@code values[t*hd + i]}): {@link FloatDot#vectorTimesMatrix} for both. Rows alone on their cache (a
   * decode batch) skip this and multiply straight from the cache ({@link KvCache#scores}).
   */
  private static final class DecodedHead {
    float[] keys = new float[0];
    float[] values = new float[0];
    /** A row's attention scores, one per position. */
    float[] scores = new float[0];
    /** Positions {@link #keys} and {@link #values} hold, laid out for heads of {@link #width} dimensions. */
    int capacity;
    private int width;
    private KvCache cache;
    private int layer;
    private int kvOff;
    private int decoded;

    /**
     * Empty, with room for the scores of {@code positions}. The key and value buffers grow in {@link #read}
     * only: rows that multiply straight from their cache (a decode batch) never use them.
     */
    void start(int positions) {
      if (scores.length < positions) scores = new float[positions];
      cache = null;
    }

    /** Positions 0..pos (and up to {@code last}) of the given head readable in {@link #keys} and {@link #values}. */
    void read(KvCache cache, int layer, int kvOff, int pos, int last, int hd, HalfDecoder half) {
      if (cache != this.cache || layer != this.layer || kvOff != this.kvOff) {
        this.cache = cache;
        this.layer = layer;
        this.kvOff = kvOff;
        decoded = 0;
      }
      if (decoded <= pos) {
        int end = Math.max(pos, last) + 1;
        // the buffers are per thread, and a thread may serve models of other head sizes in turn (a Spark task
        // thread), so the layout is checked, not only the length
        if (capacity < end || width != hd) grow(end, hd);
        cache.readKeys(layer, kvOff, hd, decoded, end, keys, capacity, half);
        cache.readValues(layer, kvOff, hd, decoded, end, values, half);
        decoded = end;
      }
    }

    /**
     * Room for {@code positions} of a head of {@code hd} dimensions, keeping what is decoded (a run's later rows
     * need no more); a new head size starts empty.
     */
    private void grow(int positions, int hd) {
      float[] k = new float[positions * hd];
      if (width == hd) {
        for (int i = 0; i < hd; i++) System.arraycopy(keys, i * capacity, k, i * positions, decoded);
      } else {
        decoded = 0;
      }
      keys = k;
      values = java.util.Arrays.copyOf(values, positions * hd);
      capacity = positions;
      width = hd;
    }
  }

  /**
   * Causal softmax attention of row i over positions 0..pos of its cache, for query head {@code h} of this
   * part; GQA maps each query head to its kv head. Threads run different (head, row) pairs, each with its
   * own decoded head and scores. Each query-key product is summed in index order (over the
   * dimensions, for all positions at once: every score is still its own sum in that order): the kernels'
   * four-chain dot product, which reorders a sum, moved one greedy token of the tq2_0 reference (margin 0.08:
   * a reordered sum flips an activation's int8 rounding downstream) and the mean NLL by 2e-3.
   */
  private void attention(int l, KvCache cache, int pos, int row, int h, DecodedHead kv) {
    int hd = c.headDim();
    int group = c.heads() / c.kvHeads();
    float scale = (float) (1.0 / Math.sqrt(hd));
    int qOff = row * shapes.qWidth + h * hd;
    int kvOff = ((part.heads().start() + h) / group - part.kvHeads().start()) * hd;
    // a row alone on its cache (a decode batch) multiplies straight from the cache: reading the floats out
    // first cost more than the products, and only pays when a prefill's rows share them
    boolean direct = !s.runShared[row] && cache.multipliesDirectly();
    if (!direct) kv.read(cache, l, kvOff, pos, s.runLast[row], hd, compute.halfDecoder());
    float[] scores = kv.scores;
    FloatDot dot = compute.floatDot();
    cache.roundQuery(s.q, qOff, hd);
    if (direct) cache.scores(l, kvOff, hd, s.q, qOff, pos + 1, scores, dot);
    else dot.vectorTimesMatrix(s.q, qOff, hd, kv.keys, 0, kv.capacity, pos + 1, scores, 0);
    float max = Float.NEGATIVE_INFINITY;
    for (int t = 0; t <= pos; t++) {
      scores[t] *= scale;
      max = Math.max(max, scores[t]);
    }
    compute.expKernel().expMinus(scores, 0, pos + 1, max);
    // in double, in order (llama.cpp sums its softmax in double too); the sum scales every weight alike
    double sum = 0;
    for (int t = 0; t <= pos; t++) sum += scores[t];
    float inv = (float) (1.0 / sum);
    for (int t = 0; t <= pos; t++) scores[t] = cache.roundWeight(scores[t] * inv);
    if (direct) cache.weightedValues(l, kvOff, hd, scores, pos + 1, s.attLocal, qOff, dot);
    else dot.vectorTimesMatrix(scores, 0, pos + 1, kv.values, 0, hd, hd, s.attLocal, qOff);
  }

  /**
   * The FFN's gate activation times up, in place, in chunks across the row threads: value by value, so the
   * split changes nothing, and a decode step's SiLU (an exp per value) was a serial stretch at two threads.
   */
  private void activate(float[] gate, float[] up, int n) {
    boolean silu = c.architecture().ffnActivation == Architecture.FfnActivation.SILU;
    compute.parallel().forRows((n + ACTIVATION_CHUNK - 1) / ACTIVATION_CHUNK, 2, (from, to) -> {
      int end = Math.min(n, to * ACTIVATION_CHUNK);
      if (silu) {
        compute.expKernel().siluGate(gate, up, from * ACTIVATION_CHUNK, end);
      } else {
        for (int i = from * ACTIVATION_CHUNK; i < end; i++) {
          float r = Math.max(0f, gate[i]);
          gate[i] = r * r * up[i];
        }
      }
    });
  }

  /** Values per unit of {@link #activate}'s split. */
  private static final int ACTIVATION_CHUNK = 512;

  private static void add(float[] x, float[] y, int n) {
    for (int i = 0; i < n; i++) x[i] += y[i];
  }

  /**
   * The final norm and the head over the rows that want logits. A tensor shard computes its vocabulary
   * slice and rank 0 gathers the rows; the other shards return an empty array.
   */
  public float[] logits(Batch batch) {
    int dim = c.dim();
    int rows = 0;
    for (int i = 0; i < batch.size(); i++) {
      if (batch.wantsLogits(i)) System.arraycopy(s.x, i * dim, s.xb, rows++ * dim, dim);
    }
    if (rows == 0) return new float[0];
    mark();
    RmsNorm.apply(s.xb, model.outputNorm(), rows, dim, c.rmsEps(), s.xb, compute.parallel());
    Linear head = model.output();
    float[] out = new float[rows * head.rows()];
    head.forward(s.xb, rows, out, compute);
    charge(StepProfile.Stage.HEAD);
    if (exchange == null) return out;
    float[][] parts = exchange.gather(0, out, out.length);
    if (parts == null) return new float[0];
    float[] full = new float[rows * c.vocabSize()];
    int[] bounds = shapes.vocabBounds;
    for (int r = 0; r < parts.length; r++) {
      int w = bounds[r + 1] - bounds[r];
      for (int i = 0; i < rows; i++) System.arraycopy(parts[r], i * w, full, i * c.vocabSize() + bounds[r], w);
    }
    return full;
  }

  /**
   * The widths of this part's slices, and for a tensor shard where every shard's slice starts: the
   * bounds arrays hold N+1 column offsets (a whole model: {@code {0, width}}).
   */
  private static final class Shapes {
    final int heads; // this part's query heads
    final int qWidth; // heads * headDim
    final int kvWidth; // this part's kv heads * headDim
    final int dimWidth; // rows of wo and wDown this part computes
    final int ffnWidth; // rows of wGate and wUp this part computes
    final int[] qBounds;
    final int[] dimBounds;
    final int[] ffnBounds;
    final int[] vocabBounds;

    Shapes(ModelConfig c, ModelPart part) {
      int hd = c.headDim();
      heads = part.heads().size();
      qWidth = heads * hd;
      kvWidth = part.kvHeads().size() * hd;
      dimWidth = part.dimRows().size();
      ffnWidth = part.ffnRows().size();
      int n = part.isTensorShard() ? part.parts() : 1;
      qBounds = new int[n + 1];
      dimBounds = new int[n + 1];
      ffnBounds = new int[n + 1];
      vocabBounds = new int[n + 1];
      for (int r = 0; r < n; r++) {
        ModelPart p = part.isTensorShard() ? ModelPart.tensorShard(c, r, n) : part;
        qBounds[r + 1] = qBounds[r] + p.heads().size() * hd;
        dimBounds[r + 1] = dimBounds[r] + p.dimRows().size();
        ffnBounds[r + 1] = ffnBounds[r] + p.ffnRows().size();
        vocabBounds[r + 1] = vocabBounds[r] + p.vocab().size();
      }
    }

    int vocabOwner(int token) {
      int r = 0;
      while (token >= vocabBounds[r + 1]) r++;
      return r;
    }
  }

  /** The buffers of one step, sized for {@code capacity} rows. */
  private static final class RunState {
    final int capacity;
    final float[] x; // [n][dim] residual stream
    final float[] xb; // [n][dim] normed input
    final float[] q; // [n][qWidth]
    final float[] k; // [n][kvWidth]
    final float[] v; // [n][kvWidth]
    final float[] attLocal; // [n][qWidth] attention output of this part's heads
    final float[] att; // [n][dim] all heads' attention output (a tensor shard gathers it)
    final float[] outLocal; // [n][dimWidth] this part's rows of a projection back to the residual width
    final float[] out; // [n][dim] the gathered projection
    final float[] gateLocal; // [n][ffnWidth]
    final float[] up; // [n][ffnWidth]
    final float[] gate; // [n][ffnDim] (a tensor shard gathers it)
    final int[] attentionOrder; // [n * heads] this step's (row, head) pairs, in the order attention runs them
    final int[] runLast; // [n] the last position of the run of rows sharing a row's cache (all stored this step)
    final boolean[] runShared; // [n] whether other rows of this step share the row's cache (a prefill's rows)

    RunState(Shapes z, int capacity) {
      this.capacity = capacity;
      int dim = z.dimBounds[z.dimBounds.length - 1];
      int ffn = z.ffnBounds[z.ffnBounds.length - 1];
      x = new float[capacity * dim];
      xb = new float[capacity * dim];
      q = new float[capacity * z.qWidth];
      k = new float[capacity * z.kvWidth];
      v = new float[capacity * z.kvWidth];
      attLocal = new float[capacity * z.qWidth];
      att = z.qWidth == dim ? attLocal : new float[capacity * dim];
      outLocal = new float[capacity * z.dimWidth];
      out = z.dimWidth == dim ? outLocal : new float[capacity * dim];
      gateLocal = new float[capacity * z.ffnWidth];
      up = new float[capacity * z.ffnWidth];
      gate = z.ffnWidth == ffn ? gateLocal : new float[capacity * ffn];
      attentionOrder = new int[capacity * z.heads];
      runLast = new int[capacity];
      runShared = new boolean[capacity];
    }
  }
}
