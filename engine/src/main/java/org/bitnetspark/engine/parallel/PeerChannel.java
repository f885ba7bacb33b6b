package org.bitnetspark.engine.parallel;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One authenticated connection to one peer, carrying length-prefixed frames ({@code int} length, big
 * endian, then the bytes). Sends are queued to a writer thread, so a rank never blocks on a full
 * socket buffer while its peer is also sending (all-gathers send and receive at once); a send that
 * failed is reported by the next call. Receives block up to the mesh's timeout.
 */
final class PeerChannel implements AutoCloseable {
  /** Larger frames are refused as corrupt: no activation message comes near it. */
  static final int MAX_FRAME_BYTES = 1 << 30;

  private final int peerRank;
  private final String peerAddress;
  private final Socket socket;
  private final DataInputStream in;
  private final DataOutputStream out;
  private final ExecutorService writer;
  private final AtomicReference<Throwable> sendFailure = new AtomicReference<>();
  private final AtomicLong bytesSent;
  private final AtomicLong bytesReceived;
  private final AtomicLong waitNanos;

  PeerChannel(int peerRank, Socket socket, DataInputStream in, DataOutputStream out, PeerMesh.Counters counters) {
    this.peerRank = peerRank;
    this.peerAddress = String.valueOf(socket.getRemoteSocketAddress());
    this.socket = socket;
    this.in = in;
    this.out = out;
    this.bytesSent = counters.bytesSent();
    this.bytesReceived = counters.bytesReceived();
    this.waitNanos = counters.waitNanos();
    this.writer = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "bitnet-peer-writer-" + peerRank);
      t.setDaemon(true);
      return t;
    });
  }

  static DataInputStream input(Socket s) throws IOException {
    return new DataInputStream(new BufferedInputStream(s.getInputStream(), 1 << 16));
  }

  static DataOutputStream output(Socket s) throws IOException {
    return new DataOutputStream(new BufferedOutputStream(s.getOutputStream(), 1 << 16));
  }

  String describePeer() {
    return "rank " + peerRank + " at " + peerAddress;
  }

  /** Queues one frame; the bytes must not change afterwards. */
  void send(byte[] frame) {
    checkSendFailure();
    writer.execute(() -> {
      if (sendFailure.get() != null) return;
      try {
        out.writeInt(frame.length);
        out.write(frame);
        out.flush();
        bytesSent.addAndGet(4L + frame.length);
      } catch (IOException | RuntimeException e) {
        sendFailure.compareAndSet(null, e);
      }
    });
  }

  /** The next frame from this peer. */
  byte[] receive() {
    checkSendFailure();
    long start = System.nanoTime();
    try {
      int length = in.readInt();
      if (length < 0 || length > MAX_FRAME_BYTES) {
        throw new PeerException("peer " + describePeer() + " sent a frame of " + length + " bytes (at most "
            + MAX_FRAME_BYTES + "): the stream is corrupt or the peer is not a bitnet-spark worker");
      }
      byte[] frame = new byte[length];
      in.readFully(frame);
      bytesReceived.addAndGet(4L + length);
      return frame;
    } catch (SocketTimeoutException e) {
      throw new PeerException("peer " + describePeer() + " sent nothing for " + timeoutSeconds() + " s: it is stuck "
          + "or unreachable; raise --peer-timeout if its steps are legitimately that slow", e);
    } catch (EOFException e) {
      throw new PeerException("peer " + describePeer() + " closed the connection: it failed or was stopped "
          + "(see that executor's log)", e);
    } catch (IOException e) {
      throw new PeerException("cannot read from peer " + describePeer() + ": " + e.getMessage(), e);
    } finally {
      waitNanos.addAndGet(System.nanoTime() - start);
    }
  }

  private long timeoutSeconds() {
    try {
      return socket.getSoTimeout() / 1000;
    } catch (IOException e) {
      return -1;
    }
  }

  private void checkSendFailure() {
    Throwable t = sendFailure.get();
    if (t != null) throw new PeerException("cannot send to peer " + describePeer() + ": " + t.getMessage(), t);
  }

  /** Waits for queued frames to be written (bounded), then closes the connection. */
  @Override
  public void close() {
    writer.shutdown();
    try {
      writer.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      socket.close();
    } catch (IOException ignored) {
      // closing: nothing left to do with this peer
    }
  }
}
