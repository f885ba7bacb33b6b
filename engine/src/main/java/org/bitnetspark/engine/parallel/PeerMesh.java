package org.bitnetspark.engine.parallel;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Authenticated TCP connections between every pair of ranks of one model-parallel group.
 *
 * <p>Each rank first {@link #listen}s on its own host address (never a wildcard address), the ranks
 * exchange the bound addresses (in Spark through {@code BarrierTaskContext.allGather}), then
 * {@link #connect}: a rank accepts connections from the higher ranks and opens connections to the
 * lower ones. Both ends prove they hold the job's secret with HMAC-SHA256 over fresh nonces, so a
 * stray or hostile connection is refused before any frame is exchanged, and the secret itself never
 * crosses the wire.
 */
public final class PeerMesh implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PeerMesh.class);
  private static final int MAGIC = 0x424e5350; // "BNSP"
  private static final int VERSION = 1;
  private static final int NONCE_BYTES = 16;
  private static final SecureRandom RANDOM = new SecureRandom();

  /** Traffic and waiting of all of a rank's channels. */
  record Counters(AtomicLong bytesSent, AtomicLong bytesReceived, AtomicLong waitNanos) {}

  private final int rank;
  private final PeerChannel[] channels;
  private final Counters counters;

  private PeerMesh(int rank, PeerChannel[] channels, Counters counters) {
    this.rank = rank;
    this.channels = channels;
    this.counters = counters;
  }

  /** A fresh random secret for one job's groups (32 bytes). */
  public static byte[] newSecret() {
    byte[] s = new byte[32];
    RANDOM.nextBytes(s);
    return s;
  }

  /** Binds a listening socket on {@code host} (an ephemeral port); refuses wildcard addresses. */
  public static ServerSocket listen(InetAddress host) {
    if (host.isAnyLocalAddress()) {
      throw new IllegalArgumentException("refusing to listen on the wildcard address " + host.getHostAddress()
          + "; bind to the executor's own address");
    }
    try {
      ServerSocket server = new ServerSocket();
      server.bind(new InetSocketAddress(host, 0), 64);
      return server;
    } catch (IOException e) {
      throw new PeerException("cannot listen on " + host.getHostAddress() + ": " + e.getMessage(), e);
    }
  }

  /**
   * Connects rank {@code rank} to every other rank; {@code addresses.get(r)} is where rank r listens.
   * Closes {@code listener} when done. Fails with a {@link PeerException} naming the peer that could not
   * be reached or authenticated within {@code timeout}, which also bounds every later receive.
   */
  public static PeerMesh connect(int rank, List<InetSocketAddress> addresses, ServerSocket listener, byte[] secret,
      Duration timeout) {
    int size = addresses.size();
    int timeoutMillis = Math.toIntExact(Math.max(1, timeout.toMillis()));
    long deadline = System.nanoTime() + timeout.toNanos();
    Counters counters = new Counters(new AtomicLong(), new AtomicLong(), new AtomicLong());
    PeerChannel[] channels = new PeerChannel[size];
    try (listener) {
      for (int peer = 0; peer < rank; peer++) {
        channels[peer] = dial(rank, peer, addresses.get(peer), secret, timeoutMillis, deadline, counters);
      }
      int expected = size - rank - 1;
      while (expected > 0) {
        long left = (deadline - System.nanoTime()) / 1_000_000;
        if (left <= 0) throw new PeerException(missing(rank, channels, addresses, timeout));
        listener.setSoTimeout((int) Math.max(1, left));
        Socket s;
        try {
          s = listener.accept();
        } catch (SocketTimeoutException e) {
          throw new PeerException(missing(rank, channels, addresses, timeout), e);
        }
        PeerChannel c = accept(rank, size, s, secret, timeoutMillis, counters, channels);
        if (c != null) expected--;
      }
      return new PeerMesh(rank, channels, counters);
    } catch (IOException | RuntimeException e) {
      for (PeerChannel c : channels) if (c != null) c.close();
      if (e instanceof PeerException p) throw p;
      throw new PeerException("rank " + rank + " cannot set up its connections: " + e.getMessage(), e);
    }
  }

  private static String missing(int rank, PeerChannel[] channels, List<InetSocketAddress> addresses, Duration t) {
    StringBuilder m = new StringBuilder();
    for (int r = rank + 1; r < channels.length; r++) {
      if (channels[r] == null) m.append(m.length() == 0 ? "" : ", ").append("rank ").append(r).append(" at ")
          .append(addresses.get(r));
    }
    return "rank " + rank + " waited " + t.toSeconds() + " s for " + m + " to connect: that task did not start or "
        + "cannot reach " + addresses.get(rank) + " (firewall?)";
  }

  /** Opens the connection to a lower rank, retrying until it listens or the deadline passes. */
  private static PeerChannel dial(int rank, int peer, InetSocketAddress address, byte[] secret, int timeoutMillis,
      long deadline, Counters counters) throws IOException {
    IOException last = null;
    while (System.nanoTime() < deadline) {
      Socket s = new Socket();
      try {
        s.connect(address, timeoutMillis);
        s.setSoTimeout(timeoutMillis);
        s.setTcpNoDelay(true);
        DataInputStream in = PeerChannel.input(s);
        DataOutputStream out = PeerChannel.output(s);
        byte[] myNonce = nonce();
        out.writeInt(MAGIC);
        out.writeInt(VERSION);
        out.writeInt(rank);
        out.writeInt(peer);
        out.write(myNonce);
        out.flush();
        byte[] theirNonce = in.readNBytes(NONCE_BYTES);
        byte[] proof = in.readNBytes(32);
        if (!MessageDigest.isEqual(proof, mac(secret, "acceptor", rank, peer, myNonce))) {
          s.close();
          throw new PeerException("peer rank " + peer + " at " + address + " failed authentication: it does not hold "
              + "this job's secret (another job's task, or not a bitnet-spark worker)");
        }
        out.write(mac(secret, "connector", rank, peer, theirNonce));
        out.flush();
        return new PeerChannel(peer, s, in, out, counters);
      } catch (IOException e) {
        s.close();
        last = e;
        try {
          Thread.sleep(100);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw new PeerException("interrupted while connecting to rank " + peer, ie);
        }
      }
    }
    throw new PeerException("rank " + rank + " cannot connect to peer rank " + peer + " at " + address + ": "
        + (last == null ? "timed out" : last.getMessage()), last);
  }

  /** Authenticates one incoming connection; returns null (and closes it) when it is not a valid peer. */
  private static PeerChannel accept(int rank, int size, Socket s, byte[] secret, int timeoutMillis, Counters counters,
      PeerChannel[] channels) throws IOException {
    try {
      s.setSoTimeout(timeoutMillis);
      s.setTcpNoDelay(true);
      DataInputStream in = PeerChannel.input(s);
      DataOutputStream out = PeerChannel.output(s);
      int magic = in.readInt();
      int version = in.readInt();
      int peer = in.readInt();
      int target = in.readInt();
      if (magic != MAGIC || version != VERSION || target != rank || peer <= rank || peer >= size || channels[peer] != null) {
        throw new IOException("not a peer of this group (magic " + Integer.toHexString(magic) + ", version " + version
            + ", rank " + peer + " -> " + target + ")");
      }
      byte[] theirNonce = in.readNBytes(NONCE_BYTES);
      byte[] myNonce = nonce();
      out.write(myNonce);
      out.write(mac(secret, "acceptor", peer, rank, theirNonce));
      out.flush();
      byte[] proof = in.readNBytes(32);
      if (!MessageDigest.isEqual(proof, mac(secret, "connector", peer, rank, myNonce))) {
        throw new IOException("rank " + peer + " failed authentication (wrong job secret)");
      }
      channels[peer] = new PeerChannel(peer, s, in, out, counters);
      return channels[peer];
    } catch (IOException e) {
      LOG.warn("rank {} refused a connection from {}: {}", rank, s.getRemoteSocketAddress(), e.getMessage());
      s.close();
      return null;
    }
  }

  private static byte[] nonce() {
    byte[] n = new byte[NONCE_BYTES];
    RANDOM.nextBytes(n);
    return n;
  }

  private static byte[] mac(byte[] secret, String role, int connector, int acceptor, byte[] nonce) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret, "HmacSHA256"));
      mac.update((role + ":" + connector + ">" + acceptor + ":").getBytes(StandardCharsets.US_ASCII));
      return mac.doFinal(nonce);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is missing from this JDK", e);
    }
  }

  public int rank() {
    return rank;
  }

  public int size() {
    return channels.length;
  }

  PeerChannel channel(int peer) {
    if (peer == rank) throw new IllegalArgumentException("rank " + rank + " has no channel to itself");
    return channels[peer];
  }

  /** Bytes this rank sent (frames with their length prefixes). */
  public long bytesSent() {
    return counters.bytesSent().get();
  }

  public long bytesReceived() {
    return counters.bytesReceived().get();
  }

  /** Time spent blocked waiting for a peer's frame. */
  public long waitNanos() {
    return counters.waitNanos().get();
  }

  @Override
  public void close() {
    for (PeerChannel c : channels) if (c != null) c.close();
  }
}
