package org.bitnetspark.engine.io;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * A model held on the heap as a list of byte arrays, so that it can exceed the 2 GiB limit of one
 * array: what a Spark broadcast delivers. A slice
 * within one chunk is a view; one that straddles chunks is copied (tensors are aligned and far
 * smaller than a chunk, so that is rare).
 */
public final class ChunkedModelSource implements ModelSource {
  /** The chunk size of a broadcast: 256 MiB. */
  public static final int DEFAULT_CHUNK_BYTES = 256 << 20;

  private final String uri;
  private final List<byte[]> chunks;
  private final long[] starts;
  private final long size;

  public ChunkedModelSource(String uri, List<byte[]> chunks) {
    this.uri = uri;
    this.chunks = List.copyOf(chunks);
    this.starts = new long[chunks.size()];
    long total = 0;
    for (int i = 0; i < chunks.size(); i++) {
      starts[i] = total;
      total += chunks.get(i).length;
    }
    this.size = total;
  }

  public List<byte[]> chunks() {
    return chunks;
  }

  @Override
  public String uri() {
    return uri;
  }

  @Override
  public long size() {
    return size;
  }

  @Override
  public ByteBuffer slice(long offset, int length) {
    if (offset < 0 || length < 0 || offset + length > size) {
      throw new IllegalArgumentException("slice [" + offset + ", " + (offset + length) + ") is outside " + uri
          + " (" + size + " bytes)");
    }
    int c = chunkOf(offset);
    int within = (int) (offset - starts[c]);
    byte[] chunk = chunks.get(c);
    if (within + length <= chunk.length) {
      return ByteBuffer.wrap(chunk, within, length).slice().asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }
    byte[] copy = new byte[length];
    for (int done = 0; done < length; c++, within = 0) {
      int n = Math.min(length - done, chunks.get(c).length - within);
      System.arraycopy(chunks.get(c), within, copy, done, n);
      done += n;
    }
    return ByteBuffer.wrap(copy).asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
  }

  private int chunkOf(long offset) {
    int lo = 0;
    int hi = starts.length - 1;
    while (lo < hi) {
      int mid = (lo + hi + 1) >>> 1;
      if (starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  @Override
  public void close() {}
}
