package org.bitnetspark.engine.parallel;

import org.bitnetspark.engine.model.TensorExchange;

/**
 * The tensor-parallel collectives over a {@link PeerMesh}: every shard sends its part straight to
 * every other shard (N-1 frames out and in per all-gather; for the 2-8 shards a Spark group has this
 * moves the same bytes as a ring and needs no relaying).
 */
final class MeshExchange implements TensorExchange {
  private final PeerMesh mesh;

  MeshExchange(PeerMesh mesh) {
    this.mesh = mesh;
  }

  @Override
  public int rank() {
    return mesh.rank();
  }

  @Override
  public int size() {
    return mesh.size();
  }

  @Override
  public float[][] allGather(float[] mine, int length) {
    byte[] frame = Frames.floats(mine, 0, length);
    for (int r = 0; r < size(); r++) if (r != rank()) mesh.channel(r).send(frame);
    return collect(mine, length);
  }

  @Override
  public float[][] gather(int root, float[] mine, int length) {
    if (rank() != root) {
      mesh.channel(root).send(Frames.floats(mine, 0, length));
      return null;
    }
    return collect(mine, length);
  }

  private float[][] collect(float[] mine, int length) {
    float[][] parts = new float[size()][];
    for (int r = 0; r < size(); r++) {
      parts[r] = r == rank() ? mine : Frames.toFloats(mesh.channel(r).receive());
    }
    return parts;
  }
}
