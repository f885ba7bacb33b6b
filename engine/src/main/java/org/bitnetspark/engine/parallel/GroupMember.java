package org.bitnetspark.engine.parallel;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import org.bitnetspark.engine.kernel.Compute;
import org.bitnetspark.engine.model.BitNetModel;
import org.bitnetspark.engine.model.ForwardPass;

/**
 * One rank of a model-parallel group, connected to its peers: the controller (drive it through
 * {@link #controller()}) or a worker (call {@link #serve()}). The same code runs in a Spark barrier
 * task and in a test's threads; only how the listening addresses are exchanged differs.
 */
public final class GroupMember implements AutoCloseable {
  private final PeerMesh mesh;
  private final GroupController controller;
  private final GroupWorker worker;

  private GroupMember(Parallelism parallelism, PeerMesh mesh, ForwardPass pass) {
    this.mesh = mesh;
    boolean isController = mesh.rank() == parallelism.controllerRank();
    this.controller = isController ? new GroupController(pass, mesh, parallelism) : null;
    this.worker = isController ? null : new GroupWorker(pass, mesh, parallelism);
  }

  /**
   * Connects to the group ({@link PeerMesh#connect}) and takes this rank's role. {@code part} must be
   * the part {@code parallelism.partFor(rank)} chose.
   */
  public static GroupMember join(Parallelism parallelism, int rank, BitNetModel part, Compute compute,
      List<InetSocketAddress> addresses, ServerSocket listener, byte[] secret, Duration timeout) {
    if (addresses.size() != parallelism.degree()) {
      throw new IllegalArgumentException(parallelism + " needs " + parallelism.degree() + " tasks in its group, got "
          + addresses.size());
    }
    if (part.part().rank() != rank || part.part().parts() != parallelism.degree()) {
      throw new IllegalArgumentException("rank " + rank + " of " + parallelism + " was given " + part.part().describe());
    }
    PeerMesh mesh = PeerMesh.connect(rank, addresses, listener, secret, timeout);
    ForwardPass pass = new ForwardPass(part, compute,
        parallelism.mode() == Parallelism.Mode.TENSOR ? new MeshExchange(mesh) : null);
    return new GroupMember(parallelism, mesh, pass);
  }

  public boolean isController() {
    return controller != null;
  }

  public int rank() {
    return mesh.rank();
  }

  /** The group's forward steps, for the scheduler or scorer this rank runs (controller only). */
  public GroupController controller() {
    if (controller == null) throw new IllegalStateException("rank " + rank() + " is a worker, not the controller");
    return controller;
  }

  /** Serves the controller's steps until it stops the group (workers only). */
  public void serve() {
    if (worker == null) throw new IllegalStateException("rank " + rank() + " is the controller, not a worker");
    worker.serve();
  }

  public GroupStats stats() {
    return controller != null ? controller.stats() : worker.stats();
  }

  /** The controller stops the workers; every rank then closes its connections. */
  @Override
  public void close() {
    if (controller != null) controller.close();
    mesh.close();
  }
}
