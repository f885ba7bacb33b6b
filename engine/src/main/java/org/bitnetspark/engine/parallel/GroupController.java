package org.bitnetspark.engine.parallel;

import org.bitnetspark.engine.model.Batch;
import org.bitnetspark.engine.model.BitNetModel;
import org.bitnetspark.engine.model.Forward;
import org.bitnetspark.engine.model.ForwardPass;
import org.bitnetspark.engine.model.KvCache;
import org.bitnetspark.engine.model.ModelPart.Range;

/**
 * The controller rank of a model-parallel group: schedulers and scorers drive it like a local
 * {@link ForwardPass}. Each step is announced to every worker (the rows' tokens, positions and
 * caches), then computed together: a tensor-sharded step in lockstep with all-gathers, a pipelined
 * step as micro-batches that flow stage to stage into this, the last stage, which computes the
 * logits. Cache creation, prefix copies and releases are mirrored on the workers.
 */
public final class GroupController implements Forward, AutoCloseable {
  private final ForwardPass pass;
  private final PeerMesh mesh;
  private final Parallelism parallelism;
  private final Batch micro = new Batch();
  private long computeNanos;
  private long commNanos;
  private long steps;
  private long forwardNanos;
  private long tokens;
  private long logitRows;
  private boolean stopped;

  public GroupController(ForwardPass pass, PeerMesh mesh, Parallelism parallelism) {
    if (mesh.rank() != parallelism.controllerRank()) {
      throw new IllegalArgumentException("rank " + mesh.rank() + " is not the controller of " + parallelism);
    }
    this.pass = pass;
    this.mesh = mesh;
    this.parallelism = parallelism;
  }

  @Override
  public BitNetModel model() {
    return pass.model();
  }

  @Override
  public float[] forward(Batch batch) {
    pass.validate(batch);
    int n = batch.size();
    if (n == 0) return new float[0];
    long start = System.nanoTime();
    long waitedBefore = mesh.waitNanos();
    int microBatches = parallelism.mode() == Parallelism.Mode.PIPELINE ? Math.min(parallelism.microBatches(), n) : 1;
    toWorkers(GroupOps.forward(batch, microBatches));
    float[] logits;
    if (parallelism.mode() == Parallelism.Mode.TENSOR) {
      logits = pass.forward(batch);
    } else {
      logits = new float[batch.logitRows() * model().config().vocabSize()];
      int filled = 0;
      if (model().part().embeds()) { // a tied embedding lives here, with the head: the first stage gets the rows
        int dim = model().config().dim();
        pass.embed(batch);
        float[] x = pass.hidden(n);
        for (int m = 0; m < microBatches; m++) {
          Range rows = Range.split(n, m, microBatches);
          mesh.channel(0).send(Frames.floats(x, rows.start() * dim, rows.size() * dim));
        }
      }
      PeerChannel upstream = mesh.channel(mesh.rank() - 1);
      for (int m = 0; m < microBatches; m++) {
        Range rows = Range.split(n, m, microBatches);
        Batch sub = batch.slice(rows.start(), rows.end(), micro);
        Frames.readFloats(upstream.receive(), pass.hidden(sub.size()), 0);
        pass.runLayers(sub);
        float[] part = pass.logits(sub);
        System.arraycopy(part, 0, logits, filled, part.length);
        filled += part.length;
      }
    }
    long wall = System.nanoTime() - start;
    long waited = mesh.waitNanos() - waitedBefore;
    forwardNanos += wall;
    commNanos += waited;
    computeNanos += wall - waited;
    steps++;
    tokens += n;
    logitRows += batch.logitRows();
    return logits;
  }

  @Override
  public KvCache newCache(KvCache.Type type, int capacity) {
    KvCache cache = pass.newCache(type, capacity);
    toWorkers(GroupOps.newCache(cache));
    return cache;
  }

  @Override
  public void copyPrefix(KvCache target, KvCache source, int positions) {
    target.copyPrefixFrom(source, positions);
    toWorkers(GroupOps.copyPrefix(target, source, positions));
  }

  @Override
  public void release(KvCache cache) {
    toWorkers(GroupOps.release(cache));
  }

  private void toWorkers(byte[] op) {
    for (int r = 0; r < mesh.size(); r++) if (r != mesh.rank()) mesh.channel(r).send(op);
  }

  public GroupStats stats() {
    return new GroupStats(mesh.rank(), true, computeNanos, commNanos, 0, mesh.bytesSent(), mesh.bytesReceived(), steps,
        forwardNanos, tokens, logitRows, pass.model().residentWeightBytes());
  }

  /** Tells the workers the work is done; they leave their serve loops. */
  @Override
  public void close() {
    if (stopped) return;
    stopped = true;
    toWorkers(GroupOps.stop());
  }
}
