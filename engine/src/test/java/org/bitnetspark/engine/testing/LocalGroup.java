package org.bitnetspark.engine.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import org.bitnetspark.engine.io.LocalModelSource;
import org.bitnetspark.engine.kernel.ActivationQuant;
import org.bitnetspark.engine.kernel.Compute;
import org.bitnetspark.engine.kernel.Kernels;
import org.bitnetspark.engine.kernel.ParallelRows;
import org.bitnetspark.engine.model.BitNetModel;
import org.bitnetspark.engine.model.Forward;
import org.bitnetspark.engine.model.ModelLoader;
import org.bitnetspark.engine.parallel.GroupMember;
import org.bitnetspark.engine.parallel.GroupStats;
import org.bitnetspark.engine.parallel.Parallelism;
import org.bitnetspark.engine.parallel.PeerMesh;

/**
 * A model-parallel group in one JVM: one thread per rank, each loading only its part of the model
 * file and talking to the others over real TCP on 127.0.0.1, as Spark executors do.
 */
public final class LocalGroup {
  private LocalGroup() {}

  /** What the controller's work returned, and every rank's statistics. */
  public record Outcome<T>(T result, List<GroupStats> stats) {}

  public static <T> Outcome<T> run(Path model, Parallelism p, ActivationQuant aq, Function<Forward, T> work) {
    int n = p.degree();
    byte[] secret = PeerMesh.newSecret();
    List<ServerSocket> listeners = new ArrayList<>();
    List<InetSocketAddress> addresses = new ArrayList<>();
    for (int r = 0; r < n; r++) {
      ServerSocket s = PeerMesh.listen(InetAddress.getLoopbackAddress());
      listeners.add(s);
      addresses.add((InetSocketAddress) s.getLocalSocketAddress());
    }
    ExecutorService threads = Executors.newFixedThreadPool(n);
    try {
      List<Future<Object>> ranks = new ArrayList<>();
      GroupStats[] stats = new GroupStats[n];
      for (int r = 0; r < n; r++) {
        int rank = r;
        ranks.add(threads.submit(() -> {
          BitNetModel part = ModelLoader.load(open(model), p.partFor(rank));
          try (ParallelRows rows = new ParallelRows(1);
              GroupMember member = GroupMember.join(p, rank, part, new Compute(Kernels.get(), rows, aq), addresses,
                  listeners.get(rank), secret, Duration.ofSeconds(60))) {
            Object result = null;
            if (member.isController()) result = work.apply(member.controller());
            else member.serve();
            stats[rank] = member.stats();
            return result;
          }
        }));
      }
      Object result = null;
      for (int r = 0; r < n; r++) {
        Object value = ranks.get(r).get();
        if (r == p.controllerRank()) result = value;
      }
      @SuppressWarnings("unchecked")
      T typed = (T) result;
      return new Outcome<>(typed, List.of(stats));
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException("a rank of " + p + " failed: " + e.getCause(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } finally {
      threads.shutdownNow();
    }
  }

  private static LocalModelSource open(Path model) {
    try {
      return new LocalModelSource(model);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
