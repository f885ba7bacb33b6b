package org.bitnetspark.engine.parallel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;

/** The transport: frames both ways, authentication, wildcard refusal, timeouts and dead peers named. */
class PeerMeshTest {
  private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
  /**
   * A thread per rank: ranks block in accept and connect until all have started, so they must not share
   * a small pool (the common pool has one thread on a 2-core machine).
   */
  private static final ExecutorService RANKS = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "peer-mesh-test-rank");
    t.setDaemon(true);
    return t;
  });

  private record Setup(List<ServerSocket> listeners, List<InetSocketAddress> addresses) {}

  private static Setup listen(int n) {
    List<ServerSocket> listeners = new ArrayList<>();
    List<InetSocketAddress> addresses = new ArrayList<>();
    for (int r = 0; r < n; r++) {
      listeners.add(PeerMesh.listen(LOOPBACK));
      addresses.add((InetSocketAddress) listeners.get(r).getLocalSocketAddress());
    }
    return new Setup(listeners, addresses);
  }

  /** Connects {@code n} ranks concurrently; rank r uses {@code secrets.apply(r)}. */
  private static List<CompletableFuture<PeerMesh>> connect(int n, IntFunction<byte[]> secrets, Duration timeout) {
    Setup s = listen(n);
    List<CompletableFuture<PeerMesh>> meshes = new ArrayList<>();
    for (int r = 0; r < n; r++) {
      int rank = r;
      meshes.add(CompletableFuture.supplyAsync(
          () -> PeerMesh.connect(rank, s.addresses, s.listeners.get(rank), secrets.apply(rank), timeout), RANKS));
    }
    return meshes;
  }

  private static List<PeerMesh> all(List<CompletableFuture<PeerMesh>> futures) throws Exception {
    List<PeerMesh> m = new ArrayList<>();
    for (CompletableFuture<PeerMesh> f : futures) m.add(f.get());
    return m;
  }

  @Test
  void everyPairExchangesFramesInOrderAndTrafficIsCounted() throws Exception {
    byte[] secret = PeerMesh.newSecret();
    List<PeerMesh> m = all(connect(3, r -> secret, Duration.ofSeconds(20)));
    try {
      for (int a = 0; a < 3; a++) {
        for (int b = 0; b < 3; b++) {
          if (a == b) continue;
          m.get(a).channel(b).send(new byte[] {(byte) a, (byte) b, 1});
          m.get(a).channel(b).send(new byte[] {(byte) a, (byte) b, 2});
        }
      }
      for (int b = 0; b < 3; b++) {
        for (int a = 0; a < 3; a++) {
          if (a == b) continue;
          assertArrayEquals(new byte[] {(byte) a, (byte) b, 1}, m.get(b).channel(a).receive());
          assertArrayEquals(new byte[] {(byte) a, (byte) b, 2}, m.get(b).channel(a).receive());
        }
      }
      assertEquals(4 * (4 + 3), m.get(0).bytesReceived(), "4 frames of 3 bytes, each with its 4-byte length");
    } finally {
      m.forEach(PeerMesh::close);
    }
  }

  /** Frames larger than any socket buffer, sent by every rank at once: queued sends cannot deadlock. */
  @Test
  void allGatherOfLargeVectors() throws Exception {
    byte[] secret = PeerMesh.newSecret();
    List<PeerMesh> m = all(connect(3, r -> secret, Duration.ofSeconds(20)));
    try {
      List<CompletableFuture<float[][]>> gathers = new ArrayList<>();
      for (PeerMesh mesh : m) {
        float[] mine = new float[2_000_000];
        mine[mine.length - 1] = mesh.rank() + 1;
        gathers.add(CompletableFuture.supplyAsync(() -> new MeshExchange(mesh).allGather(mine, mine.length), RANKS));
      }
      for (CompletableFuture<float[][]> g : gathers) {
        float[][] parts = g.get();
        for (int r = 0; r < 3; r++) assertEquals(r + 1f, parts[r][1_999_999]);
      }
    } finally {
      m.forEach(PeerMesh::close);
    }
  }

  @Test
  void aRankWithAnotherSecretIsRefused() {
    byte[] good = PeerMesh.newSecret();
    byte[] bad = PeerMesh.newSecret();
    List<CompletableFuture<PeerMesh>> f = connect(2, r -> r == 1 ? bad : good, Duration.ofSeconds(3));
    ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(1).get());
    assertInstanceOf(PeerException.class, e.getCause());
    assertTrue(e.getCause().getMessage().contains("failed authentication"), e.getCause().getMessage());
    ExecutionException waiting = assertThrows(ExecutionException.class, () -> f.get(0).get());
    assertTrue(waiting.getCause().getMessage().contains("rank 1"), waiting.getCause().getMessage());
  }

  /** A connection that is not a peer (wrong magic) is dropped, and the rank keeps waiting for the real one. */
  @Test
  void strangersAreDroppedAndTheRealPeerStillConnects() throws Exception {
    byte[] secret = PeerMesh.newSecret();
    Setup s = listen(2);
    CompletableFuture<PeerMesh> zero = CompletableFuture.supplyAsync(
        () -> PeerMesh.connect(0, s.addresses, s.listeners.get(0), secret, Duration.ofSeconds(20)), RANKS);
    try (Socket stranger = new Socket(LOOPBACK, s.addresses.get(0).getPort())) {
      DataOutputStream out = new DataOutputStream(stranger.getOutputStream());
      out.writeInt(0x47455420); // "GET "
      out.writeInt(1);
      out.writeInt(1);
      out.writeInt(0);
      out.flush();
      assertEquals(-1, stranger.getInputStream().read(), "the stranger's connection is closed");
    }
    PeerMesh one = PeerMesh.connect(1, s.addresses, s.listeners.get(1), secret, Duration.ofSeconds(20));
    PeerMesh z = zero.get();
    one.channel(0).send(new byte[] {42});
    assertArrayEquals(new byte[] {42}, z.channel(1).receive());
    one.close();
    z.close();
  }

  @Test
  void aDeadPeerAndASilentPeerAreNamed() throws Exception {
    byte[] secret = PeerMesh.newSecret();
    List<PeerMesh> m = all(connect(3, r -> secret, Duration.ofMillis(1500)));
    try {
      PeerException silent = assertThrows(PeerException.class, () -> m.get(0).channel(2).receive());
      assertTrue(silent.getMessage().contains("rank 2") && silent.getMessage().contains("sent nothing for 1 s"),
          silent.getMessage());
      m.get(1).close();
      PeerException dead = assertThrows(PeerException.class, () -> m.get(0).channel(1).receive());
      assertTrue(dead.getMessage().contains("rank 1") && dead.getMessage().contains("closed the connection"),
          dead.getMessage());
    } finally {
      m.forEach(PeerMesh::close);
    }
  }

  @Test
  void noRankListensOnTheWildcardAddress() throws Exception {
    Exception e = assertThrows(IllegalArgumentException.class,
        () -> PeerMesh.listen(InetAddress.getByName("0.0.0.0")));
    assertTrue(e.getMessage().contains("wildcard"), e.getMessage());
  }

  @Test
  void anAbsentPeerFailsTheConnectWithItsAddress() {
    Setup s = listen(2);
    PeerException e = assertThrows(PeerException.class,
        () -> PeerMesh.connect(0, s.addresses, s.listeners.get(0), PeerMesh.newSecret(), Duration.ofMillis(800)));
    assertTrue(e.getMessage().contains("rank 1 at " + s.addresses.get(1)), e.getMessage());
  }
}
