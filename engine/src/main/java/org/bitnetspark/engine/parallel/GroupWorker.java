package org.bitnetspark.engine.parallel;

import java.io.DataInputStream;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import org.bitnetspark.engine.model.Batch;
import org.bitnetspark.engine.model.ForwardPass;
import org.bitnetspark.engine.model.KvCache;
import org.bitnetspark.engine.model.ModelPart.Range;

/**
 * A worker rank of a model-parallel group: serves the controller's steps with its part of the model
 * until told to stop. It keeps its own part of every sequence's KV cache, under the controller's
 * cache ids.
 */
public final class GroupWorker {
  private final ForwardPass pass;
  private final PeerMesh mesh;
  private final Parallelism parallelism;
  private final int controller;
  private final Map<Integer, KvCache> caches = new HashMap<>();
  private final Batch batch = new Batch();
  private final Batch micro = new Batch();
  private long computeNanos;
  private long commNanos;
  private long idleNanos;
  private long steps;
  private long tokens;

  public GroupWorker(ForwardPass pass, PeerMesh mesh, Parallelism parallelism) {
    this.pass = pass;
    this.mesh = mesh;
    this.parallelism = parallelism;
    this.controller = parallelism.controllerRank();
    if (mesh.rank() == controller) throw new IllegalArgumentException("rank " + controller + " is the controller");
  }

  /** Serves steps until the controller stops the group; a peer failure ends it with a {@link PeerException}. */
  public void serve() {
    PeerChannel fromController = mesh.channel(controller);
    while (true) {
      long waitStart = System.nanoTime();
      byte[] frame = fromController.receive();
      long received = System.nanoTime();
      idleNanos += received - waitStart;
      long waitedBefore = mesh.waitNanos();
      try (DataInputStream in = GroupOps.read(frame)) {
        byte op = in.readByte();
        switch (op) {
          case GroupOps.FORWARD -> forward(in);
          case GroupOps.NEW_CACHE -> {
            int id = in.readInt();
            KvCache.Type type = KvCache.Type.values()[in.readByte()];
            caches.put(id, pass.newCache(type, in.readInt()));
          }
          case GroupOps.COPY_PREFIX -> {
            KvCache target = cache(in.readInt());
            target.copyPrefixFrom(cache(in.readInt()), in.readInt());
          }
          case GroupOps.RELEASE -> caches.remove(in.readInt());
          case GroupOps.STOP -> {
            caches.clear();
            return;
          }
          default -> throw new PeerException("the controller (rank " + controller + ") sent unknown operation " + op
              + ": the group runs mismatched bitnet-spark versions");
        }
      } catch (IOException e) {
        throw new PeerException("a truncated operation from the controller (rank " + controller + ")", e);
      }
      long waited = mesh.waitNanos() - waitedBefore;
      commNanos += waited;
      computeNanos += System.nanoTime() - received - waited;
    }
  }

  private void forward(DataInputStream in) throws IOException {
    int n = in.readInt();
    int microBatches = in.readInt();
    batch.clear();
    for (int i = 0; i < n; i++) batch.add(in.readInt(), in.readInt(), cache(in.readInt()), in.readBoolean());
    steps++;
    tokens += n;
    if (parallelism.mode() == Parallelism.Mode.TENSOR) {
      pass.forward(batch); // the logits go to the controller inside
      return;
    }
    int rank = mesh.rank();
    int dim = pass.model().config().dim();
    for (int m = 0; m < microBatches; m++) {
      Range rows = Range.split(n, m, microBatches);
      Batch sub = batch.slice(rows.start(), rows.end(), micro);
      if (rank == 0 && pass.model().part().embeds()) pass.embed(sub);
      else Frames.readFloats(mesh.channel(rank == 0 ? controller : rank - 1).receive(), pass.hidden(sub.size()), 0);
      pass.runLayers(sub);
      mesh.channel(rank + 1).send(Frames.floats(pass.hidden(sub.size()), 0, sub.size() * dim));
    }
  }

  private KvCache cache(int id) {
    KvCache c = caches.get(id);
    if (c == null) {
      throw new PeerException("the controller (rank " + controller + ") used KV cache " + id + ", which this worker "
          + "never created: the group's operations are out of step");
    }
    return c;
  }

  public GroupStats stats() {
    return new GroupStats(mesh.rank(), false, computeNanos, commNanos, idleNanos, mesh.bytesSent(),
        mesh.bytesReceived(), steps, 0, tokens, 0, pass.model().residentWeightBytes());
  }
}
